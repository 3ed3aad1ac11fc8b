/**
 * An event kept past its delivery (for a retry, or held back): its own copy of the value and of its meta,
 * since the ring slot and the reused {@link EventMeta} move on to the next event.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import { type FixedEvent, isFixedEvent } from "../../transport/fixed-layout.ts";
import type { EventMeta } from "../handler-api.ts";

/** A fixed-layout flyweight over a copy of its bytes: it stays valid after the ring moves on. */
function copyFixed(event: FixedEvent): FixedEvent {
  const type = event.eventType;
  const bytes = new Uint8Array(type.byteLength);
  bytes.set(event._bytes.subarray(event._o, event._o + type.byteLength));
  return type.flyweight().wrap(bytes, 0);
}

/**
 * The value itself, except for what is only valid during the delivery: a fixed-layout flyweight (or the
 * `wrapWithNamedEvent` envelope reused around one), which is copied. Decoded structured values are the
 * consumer's own already.
 */
function keepValue(value: unknown): unknown {
  if (isFixedEvent(value)) return copyFixed(value);
  const data = (value as { data?: unknown } | null)?.data;
  if (typeof value === "object" && isFixedEvent(data)) return { ...value, data: copyFixed(data) };
  return value;
}

/**
 * @example
 * ```ts
 * const kept = KeptEvent.of(value, meta, clock); // valid after onEvent returns
 * handler.onEvent(kept.event, kept);            // kept is its own EventMeta
 * ```
 */
export class KeptEvent implements EventMeta {
  /** Calls of onEvent made with it so far. */
  attempts = 0;
  /** What its last call threw. */
  lastError: unknown = undefined;

  private constructor(
    readonly event: unknown,
    readonly feed: string,
    readonly sequenceNumber: number,
    readonly publishedNanos: number,
    private readonly clock: Clock,
  ) {}

  static of(event: unknown, meta: EventMeta, clock: Clock): KeptEvent {
    return new KeptEvent(keepValue(event), meta.feed, meta.sequenceNumber, meta.publishedNanos, clock);
  }

  get publishedAt(): number {
    return this.clock.toEpochMillis(this.publishedNanos);
  }
}
