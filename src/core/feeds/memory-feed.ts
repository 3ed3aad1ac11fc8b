/**
 * `type: memory`: the embedding program offers values from its own thread (the supervisor's).
 *
 * @module
 */
import type { FeedChannel } from "./feed-channel.ts";
import type { FeedPublisher } from "./feed-publisher.ts";
import type { FeedPlugin, FeedStatus, PublishOptions } from "../plugin-api.ts";

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
   * `options.traceparent` (e.g. an HTTP request's header) travels with the value when `tracing:` is
   * configured, and is ignored otherwise.
   */
  offer(value: unknown, options?: Pick<PublishOptions, "traceparent">): number {
    const before = this.publisher.lastSequence;
    try {
      this.channel.publish(value, undefined, options);
    } finally {
      this.publisher.flush();
    }
    return this.publisher.lastSequence > before ? this.publisher.lastSequence : 0;
  }

  status(): FeedStatus {
    return { connected: true, detail: "offered by the embedding program" };
  }
}
