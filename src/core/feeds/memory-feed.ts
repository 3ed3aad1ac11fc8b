/**
 * `type: memory`: the embedding program offers values from its own thread (the supervisor's).
 *
 * @module
 */
import type { FeedComponent } from "./feed-component.ts";
import type { FeedPublisher } from "./feed-publisher.ts";

/**
 * @example
 * ```ts
 * server.offer("prices", { sym: "AAPL", px: 101.25 }); // goes through MemoryFeed.offer
 * ```
 */
export class MemoryFeed implements FeedComponent {
  constructor(readonly name: string, readonly publisher: FeedPublisher) {}

  /**
   * Publishes one value to every subscribed agent right away; returns its sequence number. Waits (never
   * drops) while a subscriber's ring is full; if the wait gives up it throws, and no subscriber got it.
   */
  offer(value: unknown): number {
    try {
      return this.publisher.publish(value);
    } finally {
      this.publisher.flush();
    }
  }
}
