/**
 * The handle a handler gets from `ctx.sink(name)`: encodes each value on the handler's agent and writes it
 * into this agent's own ring to the sink's host. Values accepted before that ring is connected wait, in
 * order, and are written once it is.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { Backpressure, RingProducer } from "../../transport/ring.ts";
import { EventOutlet } from "../event-outlet.ts";
import type { Sink } from "../handler-api.ts";

/** A sink that stopped accepting values (the server is stopping). */
export class SinkClosedError extends Error {
  constructor(sink: string) {
    super(`sink "${sink}" is closed and accepts no more values`);
    this.name = "SinkClosedError";
  }
}

/**
 * @example
 * ```ts
 * const out = ctx.sink<number>("totals"); // a SinkWriter
 * out.accept(42);
 * ```
 */
export class SinkWriter implements Sink {
  protected readonly outlet: EventOutlet;
  protected closed = false;

  constructor(readonly name: string, clock: Clock, backpressure: Backpressure, dropped: () => void) {
    this.outlet = new EventOutlet(`sink "${name}"`, clock, backpressure, dropped);
    this.outlet.hold(); // until the ring to the sink's host exists
  }

  /** Connects the ring to the sink's host and writes what was accepted before. */
  attach(ring: RingProducer): void {
    this.outlet.addTarget(ring, this.name);
    if (this.closed) ring.close();
    else this.outlet.release();
  }

  accept(value: unknown): void {
    if (this.closed) throw new SinkClosedError(this.name);
    this.outlet.send(value);
  }

  /** Sequence number of the last value accepted (written or waiting): the N-th value accepted is N. */
  get lastSequence(): number {
    return this.outlet.lastSequence;
  }

  /** Every value up to this sequence number has been written by the sink (its host flushed it). */
  durableSequence(): number {
    return this.outlet.durableSequence();
  }

  /** Makes written values visible to the sink's host. */
  flush(): void {
    this.outlet.flush();
  }

  /** Flushes and closes the ring; later `accept` calls throw. Returns how many values never left. */
  close(): number {
    this.closed = true;
    return this.outlet.close();
  }
}
