/**
 * Shared HdrHistogram settings for latency: 1 ns to 1 minute, 3 significant digits.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";

/**
 * A histogram for latencies in nanoseconds.
 *
 * @example
 * ```ts
 * const histogram = newLatencyHistogram();
 * histogram.recordValue(850);
 * ```
 */
export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
}

/** The percentiles every benchmark report carries, in nanoseconds. */
export interface LatencyPercentiles {
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  p999Ns: number;
  p9999Ns: number;
  maxNs: number;
}

/**
 * Reads the reported percentiles from a histogram of nanoseconds.
 *
 * @example
 * ```ts
 * latencyPercentiles(histogram).p99Ns;
 * ```
 */
export function latencyPercentiles(histogram: hdr.Histogram): LatencyPercentiles {
  return {
    p50Ns: histogram.getValueAtPercentile(50),
    p90Ns: histogram.getValueAtPercentile(90),
    p99Ns: histogram.getValueAtPercentile(99),
    p999Ns: histogram.getValueAtPercentile(99.9),
    p9999Ns: histogram.getValueAtPercentile(99.99),
    maxNs: histogram.maxValue,
  };
}
