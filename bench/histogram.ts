/** Shared HdrHistogram settings for latency: 1 ns to 1 minute, 3 significant digits. */
import * as hdr from "hdr-histogram-js";

export function newLatencyHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: 3 });
}
