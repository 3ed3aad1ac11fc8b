/**
 * Events a handler gave back to itself with `ctx.emit`: queued, then delivered to that handler alone as
 * new event cycles on a later duty cycle, never inside the `onEvent` (or timer) that emitted them. A
 * circular queue over reused arrays: emitting allocates nothing once it has grown to its peak depth.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { HostedHandler } from "./hosted-handler.ts";
import { ReusedMeta } from "./inbound-ring.ts";

/** `meta.feed` of an event a handler emitted to itself with `ctx.emit`. */
export const REENTRANT_FEED = "@reentrant";

/** One handler's re-entrant source: its meta and the count of events it emitted (their sequence numbers). */
interface Source {
  meta: ReusedMeta;
  emitted: number;
}

/**
 * @example
 * ```ts
 * const reentrant = new ReentrantEvents(clock);
 * reentrant.push(hostedHandler, { tick: 1 });
 * reentrant.deliverQueued(); // 1: hostedHandler.onEvent({ tick: 1 }, { feed: "@reentrant", sequenceNumber: 1, … })
 * ```
 */
export class ReentrantEvents {
  private readonly sources = new Map<HostedHandler, Source>();
  private handlers: (HostedHandler | undefined)[] = new Array(16);
  private events: unknown[] = new Array(16);
  private sequences = new Float64Array(16);
  private published = new Float64Array(16);
  private head = 0;
  private count = 0;

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.count;
  }

  /** Queues `event` for `handler`. */
  push(handler: HostedHandler, event: unknown): void {
    let source = this.sources.get(handler);
    if (!source) {
      source = { meta: new ReusedMeta(REENTRANT_FEED, this.clock), emitted: 0 };
      this.sources.set(handler, source);
    }
    if (this.count === this.handlers.length) this.grow();
    const at = (this.head + this.count++) % this.handlers.length;
    this.handlers[at] = handler;
    this.events[at] = event;
    this.sequences[at] = ++source.emitted;
    this.published[at] = this.clock.nanos();
  }

  /** Delivers the events queued before this call, oldest first (those emitted meanwhile wait for the next); returns how many. */
  deliverQueued(): number {
    const due = this.count;
    for (let i = 0; i < due; i++) {
      const at = this.head;
      const handler = this.handlers[at]!;
      const event = this.events[at];
      this.handlers[at] = undefined;
      this.events[at] = undefined;
      this.head = (at + 1) % this.handlers.length;
      this.count--;
      const source = this.sources.get(handler);
      if (!source) continue; // its handler was removed meanwhile
      const meta = source.meta;
      meta.sequenceNumber = this.sequences[at];
      meta.publishedNanos = this.published[at];
      handler.deliver(event, meta);
    }
    return due;
  }

  /** Forgets a removed handler: events it emitted and that are still queued are dropped. */
  forget(handler: HostedHandler): void {
    this.sources.delete(handler);
  }

  /** Drops every queued event; returns how many there were. */
  clear(): number {
    const dropped = this.count;
    while (this.count > 0) {
      this.handlers[this.head] = undefined;
      this.events[this.head] = undefined;
      this.head = (this.head + 1) % this.handlers.length;
      this.count--;
    }
    return dropped;
  }

  private grow(): void {
    const length = this.handlers.length;
    const order = Array.from({ length }, (_, i) => (this.head + i) % length);
    const handlers = new Array<HostedHandler | undefined>(length * 2);
    const events = new Array<unknown>(length * 2);
    const sequences = new Float64Array(length * 2);
    const published = new Float64Array(length * 2);
    order.forEach((from, to) => {
      handlers[to] = this.handlers[from];
      events[to] = this.events[from];
      sequences[to] = this.sequences[from];
      published[to] = this.published[from];
    });
    this.handlers = handlers;
    this.events = events;
    this.sequences = sequences;
    this.published = published;
    this.head = 0;
  }
}
