/**
 * Latency histograms in shared memory: for each handler, two histograms (publish→handle latency and
 * service time), each a sum of nanoseconds and HdrHistogram-like bucket counts
 * (log-linear-buckets.ts). Only the handler's agent writes them, with plain float64 stores, like the
 * counters (counters.ts); the supervisor reads them at any time without messaging or pausing the agent.
 * A reader may see a sample half recorded (its sum without its bucket): never a torn value.
 *
 * Both sides derive the layout from the handler names in plan order, so no index table crosses threads.
 *
 * @module
 */
import { BUCKET_SLOTS, bucketSlot } from "./log-linear-buckets.ts";

/** What a handler's histograms measure. */
export type LatencyMetric = "latency" | "service";

/**
 * The metrics of each handler, in block order.
 *
 * @example
 * ```ts
 * LATENCY_METRICS.includes(query.metric); // false for anything but "latency" and "service"
 * ```
 */
export const LATENCY_METRICS: readonly LatencyMetric[] = ["latency", "service"];

const SUM = 0;
const HEADER_SLOTS = 1;
/** Float64 slots of one histogram: the sum of nanoseconds, then the bucket counts (whose total is the count). */
const HISTOGRAM_SLOTS = HEADER_SLOTS + BUCKET_SLOTS;

/**
 * Allocates the shared memory for the histograms of `handlerCount` handlers (about 74 KB each).
 *
 * @example
 * ```ts
 * const buffer = allocateLatencyBlock(plan.handlers.length);
 * ```
 */
export function allocateLatencyBlock(handlerCount: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(1, handlerCount * LATENCY_METRICS.length) * HISTOGRAM_SLOTS * 8);
}

/**
 * One histogram, written only by its handler's agent.
 *
 * @example
 * ```ts
 * const recorder = new LatencyBlock(allocateLatencyBlock(1), ["pnl"]).recorder("pnl", "service");
 * recorder.record(1_250); // nanoseconds
 * ```
 */
export class LatencyRecorder {
  constructor(private readonly slots: Float64Array, private readonly offset: number) {}

  /** Counts one value in nanoseconds (negative ones, from clock jitter across threads, as 0). */
  record(nanos: number): void {
    const slots = this.slots;
    const at = this.offset;
    slots[at + SUM] += nanos > 0 ? nanos : 0;
    slots[at + HEADER_SLOTS + bucketSlot(nanos)]++;
  }
}

/** A histogram as read: its sum of nanoseconds and its bucket counts (a copy). */
export interface HistogramCounts {
  sumNanos: number;
  buckets: Float64Array;
}

/**
 * The histograms of some handlers of one agent, over one shared buffer.
 *
 * @example
 * ```ts
 * const block = new LatencyBlock(allocateLatencyBlock(2), ["pnl", "risk"]);
 * block.recorder("risk", "latency").record(900);
 * block.read("risk", "latency").sumNanos; // 900
 * ```
 */
export class LatencyBlock {
  private readonly slots: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly handlers: readonly string[]) {
    this.slots = new Float64Array(buffer);
  }

  /** The recorder of `handler`'s `metric`. */
  recorder(handler: string, metric: LatencyMetric): LatencyRecorder {
    return new LatencyRecorder(this.slots, this.offsetOf(handler, metric));
  }

  /** A copy of `handler`'s `metric` as it is now. */
  read(handler: string, metric: LatencyMetric): HistogramCounts {
    const at = this.offsetOf(handler, metric);
    return { sumNanos: this.slots[at + SUM], buckets: this.slots.slice(at + HEADER_SLOTS, at + HISTOGRAM_SLOTS) };
  }

  private offsetOf(handler: string, metric: LatencyMetric): number {
    const index = this.handlers.indexOf(handler);
    if (index < 0) throw new Error(`no latency histograms for handler "${handler}"`);
    return (index * LATENCY_METRICS.length + LATENCY_METRICS.indexOf(metric)) * HISTOGRAM_SLOTS;
  }
}
