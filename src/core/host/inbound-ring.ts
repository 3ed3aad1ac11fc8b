/**
 * The consuming side of one ring on an agent: decodes each record with the codec named in its header and
 * hands the value and a reused {@link EventMeta} to a delivery function.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { CodecTable } from "../../transport/codecs.ts";
import type { BatchHandler, RecordHandler, RingConsumer } from "../../transport/ring.ts";
import { readTraceparent, TRACE_SUFFIX_BYTES, TRACED_CODEC_ID, tracedCodecId } from "../../transport/traced-record.ts";
import type { TraceScope } from "../tracing/trace-scope.ts";
import type { EventMeta } from "../handler-api.ts";

/** Receives each decoded value; the meta object is reused for the next event. */
export type Delivery = (value: unknown, meta: EventMeta) => void;

/** A record from `source` that could not be decoded; `error` is what the codec threw. */
export type DecodeFailure = (error: unknown, source: string, sequenceNumber: number) => void;

/**
 * Decides how many records a ring may deliver this cycle: 0 holds the ring back (its producer meets a full
 * ring: backpressure), e.g. while a handler holds back events or a sink's circuit is open.
 */
export interface RingGate {
  admit(limit: number): number;
}

/** An {@link EventMeta} reused for every event of one source (valid only during the delivery). */
export class ReusedMeta implements EventMeta {
  sequenceNumber = 0;
  publishedNanos = 0;
  traceparent: string | undefined = undefined;
  constructor(readonly feed: string, private readonly clock: Clock) {}
  get publishedAt(): number {
    return this.clock.toEpochMillis(this.publishedNanos);
  }
}

/**
 * @example
 * ```ts
 * const inbound = new InboundRing(new RingConsumer(buffer), "prices", clock, new CodecTable(), (value, meta) => handle(value), onBadRecord);
 * inbound.poll(256); // events delivered this cycle
 * ```
 */
export class InboundRing {
  private readonly meta: ReusedMeta;
  /** What each record goes through: {@link InboundRing.decodeRecord}, or its traced variant when tracing is on. */
  private readonly onRecord: RecordHandler;
  /** What each batch record goes through (see {@link InboundRing.decodeBatch}). */
  private readonly onBatch: BatchHandler;

  constructor(
    readonly consumer: RingConsumer,
    /** Feed name (feed rings) or producing agent name (sink rings); shown to receivers as `meta.feed`. */
    readonly source: string,
    clock: Clock,
    private readonly codecs: CodecTable,
    private readonly deliver: Delivery,
    private readonly decodeFailed: DecodeFailure,
    private readonly gate?: RingGate,
    /** Given when `tracing:` is on: traced records set `meta.traceparent` and the scope around their delivery. */
    private readonly traceScope?: TraceScope,
  ) {
    this.meta = new ReusedMeta(source, clock);
    // Chosen once: with tracing off the per-record path is exactly the untraced one.
    this.onRecord = traceScope === undefined ? this.decodeRecord : this.decodeTracedRecord;
    this.onBatch = traceScope === undefined ? this.decodeBatch : this.decodeTracedBatch;
  }

  /** Delivers up to `limit` events (fewer if its gate says so); returns how many. */
  poll(limit: number): number {
    const gate = this.gate;
    if (gate !== undefined) {
      limit = gate.admit(limit);
      if (limit === 0) return 0;
    }
    return this.consumer.poll(this.onRecord, limit, this.onBatch);
  }

  /** True if a record waits and the gate would let it through. */
  hasPending(): boolean {
    return (this.gate === undefined || this.gate.admit(1) > 0) && this.consumer.hasPending();
  }

  private readonly decodeRecord = (bytes: Uint8Array, offset: number, length: number, codecId: number, sequence: number, publishedNanos: number) => {
    const codec = this.codecs.get(codecId);
    let value: unknown;
    try {
      if (!codec) throw new Error(`unknown codec id ${codecId}`);
      value = codec.decode(bytes, offset, length);
    } catch (error) {
      this.decodeFailed(error, this.source, sequence);
      return;
    }
    this.meta.sequenceNumber = sequence;
    this.meta.publishedNanos = publishedNanos;
    this.deliver(value, this.meta);
  };

  /**
   * The events of a batch record (fixed-length events claimed together: see ring.ts): one codec lookup
   * and one publish time for all of them, then each decoded into the codec's flyweight and delivered.
   */
  private readonly decodeBatch = (bytes: Uint8Array, at: number, count: number, itemLength: number, codecId: number, first: number, publishedNanos: number) => {
    const codec = this.codecs.get(codecId);
    const meta = this.meta;
    meta.publishedNanos = publishedNanos;
    for (let i = 0; i < count; i++, at += itemLength) {
      let value: unknown;
      try {
        if (!codec) throw new Error(`unknown codec id ${codecId}`);
        value = codec.decode(bytes, at, itemLength);
      } catch (error) {
        this.decodeFailed(error, this.source, first + i);
        continue;
      }
      meta.sequenceNumber = first + i;
      this.deliver(value, meta);
    }
  };

  /** A batch record with tracing on: it carries no trace context, so its events are delivered outside any (as an untraced record's are). */
  private readonly decodeTracedBatch = (bytes: Uint8Array, at: number, count: number, itemLength: number, codecId: number, first: number, publishedNanos: number) => {
    const scope = this.traceScope!;
    const outer = scope.current;
    scope.current = undefined;
    try {
      this.decodeBatch(bytes, at, count, itemLength, codecId, first, publishedNanos);
    } finally {
      scope.current = outer;
    }
  };

  /** A record that may carry a traceparent (see traced-record.ts): the context is set for its delivery only. */
  private readonly decodeTracedRecord = (bytes: Uint8Array, offset: number, length: number, codecId: number, sequence: number, publishedNanos: number) => {
    const traced = codecId === TRACED_CODEC_ID;
    const scope = this.traceScope!;
    // A delivery may run inside another (a caller-runs wait for ring space runs a duty cycle): the outer one's context comes back after.
    const outer = scope.current;
    this.meta.traceparent = scope.current = traced ? readTraceparent(bytes, offset, length) : undefined;
    try {
      if (traced) this.decodeRecord(bytes, offset, length - TRACE_SUFFIX_BYTES, tracedCodecId(bytes, offset, length), sequence, publishedNanos);
      else this.decodeRecord(bytes, offset, length, codecId, sequence, publishedNanos);
    } finally {
      scope.current = outer;
      this.meta.traceparent = undefined;
    }
  };
}
