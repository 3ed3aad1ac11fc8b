/**
 * The handle a handler gets from `ctx.sink(name)`: encodes each value on the handler's agent and writes it
 * into this agent's own ring to the sink's host. Values accepted before that ring is connected are kept,
 * encoded, and written in order once it is.
 *
 * @module
 */
import type { Clock } from "../../runtime/clock.ts";
import type { Backpressure, RingProducer } from "../../transport/ring.ts";
import { EventEncoder } from "../event-encoder.ts";
import type { Sink } from "../handler-api.ts";

interface Pending {
  codecId: number;
  sequence: number;
  publishedNanos: number;
  bytes: Uint8Array;
}

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
  private ring: RingProducer | undefined;
  private pending: Pending[] = [];
  private readonly encoder: EventEncoder;
  private sequence = 0;
  private closed = false;

  constructor(readonly name: string, private readonly clock: Clock, private readonly backpressure: Backpressure) {
    this.encoder = new EventEncoder(`sink "${name}"`);
  }

  /** Connects the ring and writes what was accepted before. */
  attach(ring: RingProducer): void {
    this.ring = ring;
    for (const value of this.pending) ring.write(value.codecId, value.sequence, value.publishedNanos, value.bytes, value.bytes.length, this.backpressure);
    this.pending = [];
    if (this.closed) ring.close();
    else ring.publish();
  }

  accept(value: unknown): void {
    if (this.closed) throw new SinkClosedError(this.name);
    const length = this.encoder.encode(value);
    const { codecId, bytes } = this.encoder;
    const sequence = ++this.sequence;
    const publishedNanos = this.clock.nanos();
    if (this.ring) this.ring.write(codecId, sequence, publishedNanos, bytes, length, this.backpressure);
    else this.pending.push({ codecId, sequence, publishedNanos, bytes: bytes.slice(0, length) });
  }

  /** Makes written values visible to the sink's host. */
  flush(): void {
    this.ring?.publish();
  }

  /** Flushes and closes the ring; later `accept` calls throw {@link SinkClosedError}. */
  close(): void {
    this.closed = true;
    this.ring?.close();
  }
}
