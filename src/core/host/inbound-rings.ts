/**
 * Every ring an agent consumes, grouped by what they carry: feed rings and pipe rings into its
 * handlers, and sink rings into the sinks it hosts. The duty cycle polls feeds and pipes before
 * sinks, so values handlers send in a cycle can reach a sink on this agent in the same cycle.
 *
 * @module
 */
import type { DrainRole } from "./drain-waiters.ts";
import type { InboundRing } from "./inbound-ring.ts";
import type { DurableAcks } from "./durable-acks.ts";
import type { LaterWrites } from "./later-writes.ts";

/** What a ring into this agent carries. */
export type InboundKind = "feed" | "pipe" | "sink";

/**
 * @example
 * ```ts
 * const inbound = new InboundRings();
 * inbound.add("feed", new InboundRing(consumer, "prices", clock, codecs, deliver, onBadRecord));
 * inbound.pollHandlerRings(256); // events delivered to handlers this cycle
 * ```
 */
export class InboundRings {
  /** Feed rings into handlers (read by {@link DurableAcks}; rings are removed only through {@link InboundRings.removeFeed}). */
  readonly feeds: InboundRing[] = [];
  private readonly pipes: InboundRing[] = [];
  private readonly sinks: InboundRing[] = [];
  /** Per sink ring, its {@link LaterWrites} when its sink's writes complete later (else undefined: written at flush). */
  private readonly laterWrites: (LaterWrites | undefined)[] = [];
  /** The defined entries of `laterWrites`, for the duty cycle. */
  private readonly waitingForWrites: LaterWrites[] = [];

  /** Adds a ring; `later` for a sink ring whose sink's writes complete after `accept` returns. */
  add(kind: InboundKind, ring: InboundRing, later?: LaterWrites): void {
    (kind === "feed" ? this.feeds : kind === "pipe" ? this.pipes : this.sinks).push(ring);
    if (kind !== "sink") return;
    this.laterWrites.push(later);
    if (later) this.waitingForWrites.push(later);
  }

  /** True when a sink here writes later than `flush` (its rings' acks follow its `written()`). */
  get hasLaterWrites(): boolean {
    return this.waitingForWrites.length > 0;
  }

  /** Marks sink rings durable as far as their sinks' later writes have completed. */
  acknowledgeLaterWrites(): void {
    const later = this.waitingForWrites;
    for (let i = 0; i < later.length; i++) later[i].acknowledge();
  }

  /** Delivers up to `batch` events from each feed ring, then each pipe ring; returns how many. */
  pollHandlerRings(batch: number): number {
    let work = 0;
    for (let i = 0; i < this.feeds.length; i++) work += this.feeds[i].poll(batch);
    for (let i = 0; i < this.pipes.length; i++) work += this.pipes[i].poll(batch);
    return work;
  }

  /** Delivers up to `batch` values from each sink ring; returns how many. */
  pollSinkRings(batch: number): number {
    let work = 0;
    for (let i = 0; i < this.sinks.length; i++) work += this.sinks[i].poll(batch);
    return work;
  }

  /** After the sinks flushed: everything consumed from each sink ring is written (see {@link DurableAcks}). */
  markSinkRingsWritten(): void {
    for (let i = 0; i < this.sinks.length; i++) {
      const later = this.laterWrites[i];
      if (later) {
        later.checkpoint();
        later.acknowledge();
      } else {
        this.sinks[i].consumer.markDurable(this.sinks[i].consumer.consumedEvents);
      }
    }
  }

  /** True if any ring has a record waiting that its gate lets through. */
  hasPending(): boolean {
    const pending = (rings: InboundRing[]) => rings.some((r) => r.hasPending());
    return pending(this.feeds) || pending(this.pipes) || pending(this.sinks);
  }

  /** True once every ring of the role (pipes excepted) is closed by its producer and fully consumed. */
  drained(role: DrainRole): boolean {
    return (role === "handlers" ? this.feeds : this.sinks).every((r) => r.consumer.isDrained());
  }

  /** True once every ring of the feed or pipe `feed` into the handlers is closed by its producer and fully consumed. */
  feedDrained(feed: string): boolean {
    return [...this.feeds, ...this.pipes].every((r) => r.source !== feed || r.consumer.isDrained());
  }

  /** Drops the rings of the feed or pipe `feed` (once drained: nothing more comes through them). */
  removeFeed(feed: string): void {
    for (const rings of [this.feeds, this.pipes]) {
      for (let i = rings.length - 1; i >= 0; i--) if (rings[i].source === feed) rings.splice(i, 1);
    }
  }

  /** True if no pipe ring has a record waiting right now. */
  pipesEmpty(): boolean {
    return this.pipes.every((r) => !r.consumer.hasPending());
  }
}
