import { describe, expect, it } from "bun:test";
import * as hdr from "hdr-histogram-js";
import { allocateLatencyBlock, LatencyBlock } from "../../../src/core/latency/latency-block.ts";
import { latencyStats, percentileText, toHdrHistogram } from "../../../src/core/latency/latency-histograms.ts";
import { BUCKET_SLOTS, bucketSlot, HIGHEST_TRACKABLE_NANOS, slotValue } from "../../../src/core/latency/log-linear-buckets.ts";
import { seededRandom } from "../../helpers.ts";

/** hdr-histogram-js with the same range and precision, as the reference. */
const reference = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_TRACKABLE_NANOS, numberOfSignificantValueDigits: 2, bitBucketSize: 64 }) as hdr.Histogram & {
    countsArrayIndex(value: number): number;
    lowestEquivalentValue(value: number): number;
    countsArrayLength: number;
  };

/** Values spread log-uniformly over 1 ns … 1 h, from a fixed seed. */
function values(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Math.floor(Math.exp(random() * Math.log(HIGHEST_TRACKABLE_NANOS))));
}

describe("log-linear buckets", () => {
  it("index every value as HdrHistogram does (2 significant digits, 1 ns … 1 h), up to 2^42", () => {
    const hdrHistogram = reference();
    expect(BUCKET_SLOTS).toBe(hdrHistogram.countsArrayLength);
    const edges = [0, 1, 127, 128, 255, 256, 257, 511, 512, 1000, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 4096, 2 ** 41, HIGHEST_TRACKABLE_NANOS];
    for (const value of [...edges, ...values(20_000, 7)]) {
      expect([value, bucketSlot(value)]).toEqual([value, hdrHistogram.countsArrayIndex(value)]);
      expect([value, slotValue(bucketSlot(value))]).toEqual([value, hdrHistogram.lowestEquivalentValue(value)]);
    }
  });

  it("keep every value within 1 %, clamp negative ones to 0 and those past an hour to an hour", () => {
    for (const value of values(5_000, 11)) {
      const low = slotValue(bucketSlot(value));
      expect(low).toBeLessThanOrEqual(value);
      expect(value - low).toBeLessThanOrEqual(value / 100);
    }
    expect(bucketSlot(-5)).toBe(0);
    expect(bucketSlot(12.9)).toBe(12);
    expect(bucketSlot(HIGHEST_TRACKABLE_NANOS * 10)).toBe(bucketSlot(HIGHEST_TRACKABLE_NANOS));
    expect(bucketSlot(HIGHEST_TRACKABLE_NANOS)).toBeLessThan(BUCKET_SLOTS);
  });
});

describe("latency histograms from shared memory", () => {
  it("give the same percentiles, count and .hgrm rows as hdr-histogram-js recording the same values", () => {
    const block = new LatencyBlock(allocateLatencyBlock(2), ["a", "b"]);
    const recorder = block.recorder("b", "service");
    const hdrHistogram = reference();
    let sum = 0;
    for (const value of values(10_000, 3).map((v) => v % 50_000_000)) {
      recorder.record(value);
      hdrHistogram.recordValue(value);
      sum += value;
    }
    const counts = block.read("b", "service");
    const rebuilt = toHdrHistogram(counts);
    for (const percentile of [0, 50, 90, 99, 99.9, 99.99, 100]) expect(rebuilt.getValueAtPercentile(percentile)).toBe(hdrHistogram.getValueAtPercentile(percentile));
    // All but the footer's exact max, which only the reference saw (shared memory keeps buckets, not values).
    const withoutMax = (text: string) => text.replace(/#\[Max\s+=\s+[\d.]+,/, "#[Max = …,");
    expect(withoutMax(percentileText(counts))).toBe(withoutMax(hdrHistogram.outputPercentileDistribution(5, 1000)));
    const stats = latencyStats(counts);
    expect(stats.count).toBe(10_000);
    expect(stats.p99).toBe(hdrHistogram.getValueAtPercentile(99) / 1000);
    expect(stats.max).toBe(hdrHistogram.getValueAtPercentile(100) / 1000);
    expect(stats.sum).toBeCloseTo(sum / 1000, 3);
    // The other histograms of the block are untouched.
    for (const [handler, metric] of [["a", "latency"], ["a", "service"], ["b", "latency"]] as const) expect(latencyStats(block.read(handler, metric)).count).toBe(0);
  });

  it("are read by another block over the same buffer, as the supervisor reads an agent's", () => {
    const writer = new LatencyBlock(allocateLatencyBlock(1), ["pnl"]);
    writer.recorder("pnl", "latency").record(1_500);
    const reader = new LatencyBlock(writer.buffer, ["pnl"]);
    expect(latencyStats(reader.read("pnl", "latency"))).toMatchObject({ count: 1, p50: 1.503, sum: 1.5 });
    expect(() => reader.read("nope", "latency")).toThrow('no latency histograms for handler "nope"');
  });
});
