import { describe, expect, test } from "bun:test";
import { newLatencyHistogram } from "../../src/bench/histogram.ts";
import { parseHgrm, percentilePlotSvg } from "../../bench/percentile-plot.ts";

/** A histogram of known values (ns), and its .hgrm as the benchmarks write it: printed in µs. */
function recorded(nanos: number[]) {
  const histogram = newLatencyHistogram();
  for (const value of nanos) histogram.recordValue(value);
  return { histogram, hgrm: histogram.outputPercentileDistribution(5, 1000) };
}

// 1..1000 µs, and 10 µs plus a 5 ms outlier.
const uniformHistogram = recorded(Array.from({ length: 1000 }, (_, i) => (i + 1) * 1000));
const uniform = uniformHistogram.hgrm;
const tail = recorded([...Array.from({ length: 999 }, () => 10_000), 5_000_000]).hgrm;
const count = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

describe("parseHgrm", () => {
  test("reads the percentile rows, values in µs turned into ns", () => {
    const points = parseHgrm(uniform);
    expect(points[0]).toEqual({ percentile: 0, nanos: 1000 });
    // The parsed rows are the histogram's own percentiles, read back from µs with 5 decimals.
    const { histogram } = uniformHistogram;
    expect(points.find((p) => p.percentile === 0.5)!.nanos).toBeCloseTo(histogram.getValueAtPercentile(50), 1);
    expect(points.at(-1)!.percentile).toBe(1);
    expect(points.at(-1)!.nanos).toBeCloseTo(histogram.getValueAtPercentile(100), 1);
  });
});

describe("percentilePlotSvg", () => {
  const svg = percentilePlotSvg([{ label: "uniform", hgrm: uniform }, { label: "ring <fast> & tail", hgrm: tail }], "Two hops");

  test("is a standalone SVG with one path per series", () => {
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(count(svg, /<path /g)).toBe(2);
  });

  test("has the legend labels (escaped) and the title", () => {
    expect(svg).toContain(">uniform</text>");
    expect(svg).toContain(">ring &#60;fast&#62; &#38; tail</text>");
    expect(svg).toContain(">Two hops</text>");
  });

  test("labels both axes", () => {
    for (const label of ["50%", "90%", "99%", "99.9%", "99.99%", "99.999%"]) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain(">percentile</text>");
    expect(svg).toContain(">latency</text>");
    // 1 µs (the smallest value) up to 10 ms (above the 5 ms outlier), a label per decade.
    for (const label of ["1 µs", "10 µs", "100 µs", "1 ms", "10 ms"]) expect(svg).toContain(`>${label}</text>`);
    expect(svg).not.toContain(">100 ns</text>");
    expect(svg).not.toContain(">100 ms</text>");
  });

  test("rejects text that is not an .hgrm, naming the series", () => {
    expect(() => percentilePlotSvg([{ label: "notes.txt", hgrm: "p50 12 µs\np99 40 µs\n" }], "t"))
      .toThrow('notes.txt: not an HdrHistogram percentile distribution (no "Value Percentile TotalCount 1/(1-Percentile)" header)');
    expect(() => percentilePlotSvg([{ label: "torn", hgrm: uniform.replace("500.223", "five") }], "t")).toThrow(/torn: line \d+ is not a percentile row/);
  });
});
