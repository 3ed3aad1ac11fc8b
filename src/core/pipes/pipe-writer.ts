/**
 * The writing half of a handler pipe (`pipes:`): what `ctx.sink("<pipe>.sink")` returns. Each agent that
 * writes to a pipe gets its own writer, with its own ring to every agent subscribed to the pipe's feed,
 * so every ring still has exactly one producer however many agents write. A subscriber on the writer's
 * own agent receives the value through a local queue (a ring from an agent to itself could deadlock
 * when full). Sequence numbers come from one counter per pipe shared by all writers.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import { type EventType, isFixedEvent } from "../../transport/fixed-layout.ts";
import { genericCodec } from "../../transport/generic-codec.ts";
import type { Backpressure, RingProducer } from "../../transport/ring.ts";
import { ByteBuffer } from "../../transport/byte-buffer.ts";
import type { Counter } from "../counters.ts";
import type { DeadLetterBox } from "../dead-letters.ts";
import { EventOutlet, type FullRingListener } from "../event-outlet.ts";
import type { Sink } from "../handler-api.ts";
import type { Mapper } from "../value-mappers.ts";
import { SinkClosedError } from "../sinks/sink-writer.ts";
import type { TraceScope } from "../tracing/trace-scope.ts";
import { FixedCopyArena } from "./fixed-copy.ts";

/** Hands a value to this agent's own subscribers of the pipe, with the trace context it carries, if any. */
export type LocalDelivery = (value: unknown, sequence: number, publishedNanos: number, traceparent: string | undefined) => void;

/**
 * @example
 * ```ts
 * const out = ctx.sink("enriched.sink"); // a PipeWriter when "enriched" is a pipe
 * out.accept({ id: 1, score: 0.7 });
 * ```
 */
export class PipeWriter implements Sink {
  private readonly outlet: EventOutlet;
  private readonly copy = new ByteBuffer(256);
  private readonly arena = new FixedCopyArena();
  private closed = false;
  private held = false;
  /** Copies for this agent's own subscribers, waiting while the pipe is held. */
  private heldLocal: { value: unknown; sequence: number; publishedNanos: number; traceparent: string | undefined }[] = [];

  constructor(
    readonly name: string,
    readonly pipe: string,
    private readonly clock: Clock,
    backpressure: Backpressure,
    private readonly options: {
      mapper?: Mapper;
      /** The pipe's fixed-layout event type, if it declares one. */
      eventType?: EventType;
      deadLetters: DeadLetterBox;
      mapperDropped: Counter;
      unrouted: Counter;
      dropped: () => void;
      /** Next number of the pipe's shared sequence. */
      nextSequence: () => number;
      /** This agent's own subscribers, if any handler here subscribed to the pipe. */
      local: () => LocalDelivery | undefined;
      /** Told when a subscriber's ring is full or its subscriber is disconnected (warnings). */
      fullRings?: FullRingListener;
      /** With `tracing:` on, the agent's trace scope: each value carries the context of the delivery writing it. */
      traceScope?: TraceScope;
    },
  ) {
    this.outlet = new EventOutlet(`pipe "${pipe}"`, clock, backpressure, options.dropped, options.nextSequence);
    if (options.fullRings) this.outlet.watchFullRings(options.fullRings);
  }

  /** Adds the ring to another agent subscribed to the pipe. */
  addTarget(ring: RingProducer, agent: string): void {
    this.outlet.addTarget(ring, agent);
    if (this.closed) ring.close();
  }

  /** Closes the ring to `agent`, which no longer receives the pipe; false if there was none. */
  removeTarget(agent: string): boolean {
    return this.outlet.removeTarget(agent);
  }

  /** Holds values (the pipe caches until the server has started) until {@link PipeWriter.release}. */
  hold(): void {
    this.held = true;
    this.outlet.hold();
  }

  release(): void {
    this.held = false;
    this.outlet.release();
    const local = this.options.local();
    for (const { value, sequence, publishedNanos, traceparent } of this.heldLocal.splice(0)) local?.(value, sequence, publishedNanos, traceparent);
  }

  accept(value: unknown): void {
    if (this.closed) throw new SinkClosedError(this.name);
    let event = value;
    if (this.options.mapper) {
      try {
        event = this.options.mapper(value);
      } catch (error) {
        this.options.deadLetters.send({ reason: "mapper-error", feed: this.pipe, error, event: value });
        return;
      }
      if (event === null || event === undefined) {
        this.options.mapperDropped.inc();
        return;
      }
    }
    const traceparent = this.options.traceScope?.current;
    const sequence = this.outlet.send(event, true, this.options.eventType?.codec, traceparent);
    const local = this.options.local();
    if (!local) {
      if (this.outlet.targetCount === 0 && !this.held) this.options.unrouted.inc();
      return;
    }
    const copy = this.localCopy(event);
    if (this.held) this.heldLocal.push({ value: copy, sequence, publishedNanos: this.clock.nanos(), traceparent });
    else local(copy, sequence, this.clock.nanos(), traceparent);
  }

  flush(): void {
    this.outlet.flush();
  }

  /**
   * A copy, as a ring would make: the local subscriber must not share the writer's object. Fixed-layout
   * events are copied into an arena and read when delivered (see fixed-copy.ts): the writer reuses its
   * event, and the copy waits in a queue.
   */
  private localCopy(event: unknown): unknown {
    const type = this.options.eventType ?? (isFixedEvent(event) ? event.eventType : undefined);
    if (!type) return genericCodec.decode(this.copy.bytes, 0, genericCodec.encode(event, this.copy));
    return this.arena.copy(type, event, this.copy);
  }

  /** Closes the rings; returns how many values never left. */
  close(): number {
    this.closed = true;
    return this.outlet.close();
  }
}
