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
