/**
 * Turns histogram counts read from shared memory into an `hdr-histogram-js` histogram (exactly: the
 * bucket layout is HdrHistogram's own, see log-linear-buckets.ts), for percentiles and HdrHistogram's
 * `.hgrm` percentile text. Values are recorded in nanoseconds and reported in microseconds.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import type { HistogramCounts } from "./latency-block.ts";
import { HIGHEST_TRACKABLE_NANOS, SIGNIFICANT_DIGITS, slotValue } from "./log-linear-buckets.ts";
import type { LatencyStats } from "./latency-report.ts";

const NANOS_PER_MICRO = 1000;

/**
 * An HdrHistogram (nanoseconds) holding `counts`.
 *
 * @example
 * ```ts
 * toHdrHistogram(block.read("pnl", "latency")).getValueAtPercentile(99); // ns
 * ```
 */
export function toHdrHistogram(counts: HistogramCounts): hdr.Histogram {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_TRACKABLE_NANOS, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, bitBucketSize: 64 });
  const { buckets } = counts;
  for (let slot = 0; slot < buckets.length; slot++) if (buckets[slot] > 0) histogram.recordValueWithCount(slotValue(slot), buckets[slot]);
  return histogram;
}

/**
 * Count, percentiles, max and sum of `counts`, in microseconds.
 *
 * @example
 * ```ts
 * latencyStats(block.read("pnl", "service")); // { count: 12, p50: 3.1, …, unit: "us" }
 * ```
 */
export function latencyStats(counts: HistogramCounts): LatencyStats {
  const histogram = toHdrHistogram(counts);
  const at = (percentile: number) => histogram.getValueAtPercentile(percentile) / NANOS_PER_MICRO;
  return {
    count: histogram.totalCount,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    p9999: at(99.99),
    // The top of the highest bucket, as the percentiles report theirs (the buckets hold no exact values).
    max: at(100),
    sum: counts.sumNanos / NANOS_PER_MICRO,
    unit: "us",
  };
}

/**
 * HdrHistogram's percentile distribution text (`.hgrm`) of `counts`, values in microseconds.
 *
 * @example
 * ```ts
 * writeFileSync("pnl.hgrm", percentileText(block.read("pnl", "latency")));
 * ```
 */
export function percentileText(counts: HistogramCounts): string {
  return toHdrHistogram(counts).outputPercentileDistribution(5, NANOS_PER_MICRO);
}
