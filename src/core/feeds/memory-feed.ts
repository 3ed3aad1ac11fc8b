/**
 * `type: memory`: the embedding program offers values from its own thread (the supervisor's).
 *
 * @module
 */
import type { FeedChannel } from "./feed-channel.ts";
import type { FeedPublisher } from "./feed-publisher.ts";
import type { FeedPlugin, FeedStatus } from "../plugin-api.ts";

/**
 * @example
 * ```ts
 * server.offer("prices", { sym: "AAPL", px: 101.25 }); // goes through MemoryFeed.offer
 * ```
 */
export class MemoryFeed implements FeedPlugin {
  constructor(readonly name: string, private readonly channel: FeedChannel, private readonly publisher: FeedPublisher) {}

  /**
   * Publishes one value to every subscribed agent right away; returns its sequence number, or 0 if the
   * feed's value mapper dropped it or sent it to the dead letters. Waits (never drops) while a
   * subscriber's ring is full; if the wait gives up it throws, and no subscriber got the value.
   */
  offer(value: unknown): number {
    const before = this.publisher.lastSequence;
    try {
      this.channel.publish(value);
    } finally {
      this.publisher.flush();
    }
    return this.publisher.lastSequence > before ? this.publisher.lastSequence : 0;
  }

  status(): FeedStatus {
    return { connected: true, detail: "offered by the embedding program" };
  }
}
