/**
 * The publishing side of one feed on one thread: encodes each event once and copies it into the ring of
 * every subscribing agent. It is the only writer of those rings (single producer by construction).
 *
 * @module
 */
import type { Clock } from "../../runtime/clock.ts";
import { type Backpressure, ConsumerGoneError, type RingProducer } from "../../transport/ring.ts";
import type { Counter } from "../counters.ts";
import { EventEncoder } from "../event-encoder.ts";

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

interface Subscriber {
  ring: RingProducer;
  agent: string;
  gone: boolean;
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
  private readonly subscribers: Subscriber[] = [];
  private readonly encoder: EventEncoder;
  private sequence = 0;
  private closed = false;

  constructor(
    readonly feed: string,
    private readonly clock: Clock,
    private readonly backpressure: Backpressure,
    private readonly counters: PublisherCounters,
  ) {
    this.encoder = new EventEncoder(`feed "${feed}"`);
  }

  /** Adds the ring of a newly subscribed agent; it receives events published from now on. */
  addSubscriber(ring: RingProducer, agent: string): void {
    this.subscribers.push({ ring, agent, gone: false });
    if (this.closed) ring.close();
  }

  /**
   * Writes one event to every subscriber's ring (visible after {@link FeedPublisher.flush}); returns its
   * sequence number. A value no codec can encode throws a CodecError and reaches nobody.
   */
  publish(value: unknown): number {
    if (this.closed) throw new FeedClosedError(this.feed);
    const length = this.encoder.encode(value);
    const sequence = ++this.sequence;
    const publishedNanos = this.clock.nanos();
    this.counters.published.inc();
    if (this.subscribers.length === 0) this.counters.unrouted.inc();
    for (const subscriber of this.subscribers) {
      if (subscriber.gone) {
        this.counters.dropped.inc();
        continue;
      }
      try {
        subscriber.ring.write(this.encoder.codecId, sequence, publishedNanos, this.encoder.bytes, length, this.backpressure);
      } catch (error) {
        if (!(error instanceof ConsumerGoneError)) throw error;
        subscriber.gone = true;
        this.counters.dropped.inc();
      }
    }
    return sequence;
  }

  /** Makes everything written so far visible to the subscribers. */
  flush(): void {
    for (const subscriber of this.subscribers) subscriber.ring.publish();
  }

  /** Flushes and closes every ring: subscribers drain what is there and then see the feed end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const subscriber of this.subscribers) subscriber.ring.close();
  }
}
