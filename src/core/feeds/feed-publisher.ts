/**
 * The publishing side of one feed on one thread: each event is encoded once and written to the ring of
 * every subscribing agent (all of them or none of them). It is the only writer of those rings: a single
 * producer by construction.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { Codec } from "../../transport/codec.ts";
import type { Backpressure, RingProducer } from "../../transport/ring.ts";
import type { Counter } from "../counters.ts";
import { EventOutlet, type FullRingListener } from "../event-outlet.ts";

/** A feed that no longer accepts events because the server is stopping. */
export class FeedClosedError extends Error {
  constructor(feed: string) {
    super(`feed "${feed}" is stopped and accepts no more events`);
    this.name = "FeedClosedError";
  }
}

/** Counters a publisher keeps. */
export interface PublisherCounters {
  published: Counter;
  unrouted: Counter;
  dropped: Counter;
}

/**
 * @example
 * ```ts
 * const publisher = new FeedPublisher("prices", clock, backpressure, counters);
 * publisher.addSubscriber(ringToProcessor, "processor");
 * publisher.publish({ sym: "AAPL", px: 101.25 });
 * publisher.flush();
 * ```
 */
export class FeedPublisher {
  private readonly outlet: EventOutlet;
  private closed = false;

  /** @param fullRings told when a subscriber's ring is full or its subscriber is disconnected (warnings) */
  constructor(readonly feed: string, clock: Clock, backpressure: Backpressure, private readonly counters: PublisherCounters, fullRings?: FullRingListener) {
    this.outlet = new EventOutlet(`feed "${feed}"`, clock, backpressure, () => counters.dropped.inc());
    if (fullRings) this.outlet.watchFullRings(fullRings);
  }

  /** Adds the ring of a newly subscribed agent; it receives events published from now on. */
  addSubscriber(ring: RingProducer, agent: string): void {
    this.outlet.addTarget(ring, agent);
    if (this.closed) ring.close();
  }

  /** Closes the ring of `agent`, which no longer receives this feed; false if it did not subscribe. */
  removeSubscriber(agent: string): boolean {
    return this.outlet.removeTarget(agent);
  }

  /**
   * Writes one event to every subscriber's ring (visible after {@link FeedPublisher.flush}); returns its
   * sequence number. If it throws (a value no codec can encode, or backpressure giving up), the event
   * reached nobody. With `wait: false` it returns 0, sending nothing, when a ring is full right now.
   * `codec` overrides the codec chosen by the value's type; `traceparent` travels with the event to the
   * handlers (`meta.traceparent`).
   */
  publish(value: unknown, wait = true, codec?: Codec, traceparent?: string): number {
    if (this.closed) throw new FeedClosedError(this.feed);
    const sequence = this.outlet.send(value, wait, codec, traceparent);
    if (sequence === 0) return 0;
    this.counters.published.inc();
    if (this.outlet.targetCount === 0) this.counters.unrouted.inc();
    return sequence;
  }

  /**
   * Claims room for one `length`-byte record directly in the single subscriber's ring; returns its offset
   * in {@link FeedPublisher.claimedBytes}, or -1 when the event must be encoded and published instead.
   */
  claim(length: number): number {
    if (this.closed) throw new FeedClosedError(this.feed);
    return this.outlet.claim(length);
  }

  /** The ring bytes a successful claim points into. */
  get claimedBytes(): Uint8Array {
    return this.outlet.claimedBytes;
  }

  /** Publishes the claimed record; returns its sequence number. */
  commitClaimed(codecId: number, length: number): number {
    const sequence = this.outlet.commitClaimed(codecId, length);
    this.counters.published.inc();
    return sequence;
  }

  /**
   * Claims a batch record for up to `count` events of `itemLength` bytes in the single subscriber's ring;
   * returns how many were claimed (the first at {@link FeedPublisher.batchOffset}), or 0 when they must be
   * published one by one instead.
   */
  claimBatch(itemLength: number, count: number): number {
    if (this.closed) throw new FeedClosedError(this.feed);
    return this.outlet.claimBatch(itemLength, count);
  }

  /** Where the first event of the claimed batch goes in {@link FeedPublisher.claimedBytes}. */
  get batchOffset(): number {
    return this.outlet.batchOffset;
  }

  /** Publishes the first `count` events of the claimed batch; returns the sequence number of the first. */
  commitBatch(codecId: number, itemLength: number, count: number): number {
    const first = this.outlet.commitBatch(codecId, itemLength, count);
    this.counters.published.add(count);
    return first;
  }

  /** Abandons an open claim (the feed failed before publishing it): nothing is published for it. */
  abandonClaim(): void {
    this.outlet.abandonClaim();
  }

  /** Makes everything written so far visible to the subscribers. */
  flush(): void {
    this.outlet.flush();
  }

  /** Holds events (pre-start caching) until {@link FeedPublisher.release}; they are encoded and numbered now. */
  hold(): void {
    this.outlet.hold();
  }

  /** Publishes the held events, in order, and publishes directly from then on. */
  release(): void {
    this.outlet.release();
  }

  /** Subscribing agents whose consumer is alive. */
  get subscriberCount(): number {
    return this.outlet.targetCount;
  }

  /** Events held so far. */
  get held(): number {
    return this.outlet.queued;
  }

  /** Sequence number of the last event published or held. */
  get lastSequence(): number {
    return this.outlet.lastSequence;
  }

  /** Every event up to this sequence number was consumed by every subscribing agent. */
  deliveredSequence(): number {
    return this.outlet.deliveredSequence();
  }

  /** Every event up to this sequence number was consumed by every subscribing agent, and its sink outputs written. */
  durableSequence(): number {
    return this.outlet.durableSequence();
  }

  /** Flushes and closes every ring: subscribers drain what is there and then see the feed end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.outlet.close();
  }
}
