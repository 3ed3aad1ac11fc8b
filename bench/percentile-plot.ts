/**
 * The classic HdrHistogram percentile chart, from .hgrm text, as a standalone SVG (no dependencies).
 * x is the percentile on the usual log scale of 1/(1−p), so 90 %, 99 %, 99.9 %… are equally spaced; y is
 * latency on a log scale; one line per series, with a legend.
 *
 * Input is the text of `outputPercentileDistribution()` (HdrHistogram's plain, non-CSV format). Values are
 * taken to be microseconds: this repo's benchmarks record nanoseconds and write .hgrm files with an output
 * scaling ratio of 1000 (src/bench/one-hop.ts, bench/ringbuf-hop.ts).
 *
 *   bun bench/percentile-plot.ts out.svg "title" label1=file1.hgrm label2=file2.hgrm …
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";

/** One chart line: a label and the .hgrm text it is drawn from. */
export interface PercentileSeries {
  label: string;
  hgrm: string;
}

/** One row of an .hgrm file. */
export interface PercentilePoint {
  /** Fraction of values at or below `nanos`, 0..1. */
  percentile: number;
  nanos: number;
}

const HEADER = /^\s*Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)\s*$/;
const WIDTH = 900;
const HEIGHT = 540;
const LEFT = 90;
const RIGHT = 200;
const TOP = 50;
const BOTTOM = 60;
const X_DECADES = 5; // up to 99.999 %
const X_TICKS = [0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999];
/**
 * Line colours, one per series (the usual categorical palette).
 *
 * @example
 * ```ts
 * const color = COLORS[index % COLORS.length];
 * ```
 */
export const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/**
 * Parses the `Value Percentile TotalCount 1/(1-Percentile)` rows of an .hgrm text (values in µs).
 * Throws, naming `label`, if the text is not such a distribution.
 */
export function parseHgrm(hgrm: string, label = "hgrm"): PercentilePoint[] {
  const lines = hgrm.split(/\r?\n/);
  const header = lines.findIndex((line) => HEADER.test(line));
  if (header < 0) throw new Error(`${label}: not an HdrHistogram percentile distribution (no "Value Percentile TotalCount 1/(1-Percentile)" header)`);
  const points: PercentilePoint[] = [];
  for (let i = header + 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "" || line.startsWith("#")) continue;
    // The last row (100 %) has no 1/(1-Percentile) column.
    const fields = line.split(/\s+/).map(Number);
    if (fields.length < 3 || fields.length > 4 || fields.some((f) => Number.isNaN(f))) throw new Error(`${label}: line ${i + 1} is not a percentile row: ${line}`);
    points.push({ percentile: fields[1], nanos: fields[0] * 1000 });
  }
  if (points.length === 0) throw new Error(`${label}: the percentile distribution has no rows`);
  return points;
}

/**
 * Text made safe to put inside an SVG element or attribute.
 *
 * @example
 * ```ts
 * escapeXml("a <b>"); // "a &#60;b&#62;"
 * ```
 */
export const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

function formatNanos(exponent: number): string {
  const [unit, shift] = exponent >= 9 ? ["s", 9] : exponent >= 6 ? ["ms", 6] : exponent >= 3 ? ["µs", 3] : ["ns", 0];
  return `${10 ** (exponent - shift)} ${unit}`;
}

const formatPercentile = (p: number) => `${Number((p * 100).toFixed(3))}%`;

/** Renders the series' percentile curves as a standalone SVG document. */
export function percentilePlotSvg(series: PercentileSeries[], title: string): string {
  if (series.length === 0) throw new Error("percentilePlotSvg: no series to draw");
  const curves = series.map((s) => ({ label: s.label, points: parseHgrm(s.hgrm, s.label) }));
  const values = curves.flatMap((c) => c.points.map((p) => Math.max(1, p.nanos)));
  const yMin = Math.floor(Math.log10(Math.min(...values)));
  const yMax = Math.max(yMin + 1, Math.ceil(Math.log10(Math.max(...values))));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  // Rows past 99.999 % (and the 100 % row, whose 1/(1-p) is infinite) sit on the right edge.
  const x = (p: number) => LEFT + (Math.min(X_DECADES, Math.log10(1 / (1 - p))) / X_DECADES) * plotWidth;
  const y = (nanos: number) => TOP + plotHeight - ((Math.log10(Math.max(1, nanos)) - yMin) / (yMax - yMin)) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${LEFT}" y="28" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let exponent = yMin; exponent <= yMax; exponent++) {
    const at = y(10 ** exponent).toFixed(1);
    parts.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${at}" y2="${at}" stroke="#ddd"/>`);
    parts.push(`<text x="${LEFT - 8}" y="${at}" dy="4" text-anchor="end">${formatNanos(exponent)}</text>`);
  }
  for (const p of X_TICKS) {
    const at = x(p).toFixed(1);
    parts.push(`<line x1="${at}" x2="${at}" y1="${TOP}" y2="${TOP + plotHeight}" stroke="#ddd"/>`);
    parts.push(`<text x="${at}" y="${TOP + plotHeight + 18}" text-anchor="middle">${formatPercentile(p)}</text>`);
  }
  parts.push(`<rect x="${LEFT}" y="${TOP}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${LEFT + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">percentile</text>`);
  parts.push(`<text transform="translate(20 ${TOP + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency</text>`);
  curves.forEach((curve, index) => {
    const color = COLORS[index % COLORS.length];
    const d = curve.points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.percentile).toFixed(1)},${y(p.nanos).toFixed(1)}`).join(" ");
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    const legendY = TOP + 10 + index * 20;
    parts.push(`<line x1="${WIDTH - RIGHT + 16}" x2="${WIDTH - RIGHT + 40}" y1="${legendY}" y2="${legendY}" stroke="${color}" stroke-width="3"/>`);
    parts.push(`<text x="${WIDTH - RIGHT + 46}" y="${legendY + 4}">${escapeXml(curve.label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

if (import.meta.main) {
  const [out, title, ...pairs] = process.argv.slice(2);
  if (!out || title === undefined || pairs.length === 0 || pairs.some((pair) => !pair.includes("="))) {
    console.error('usage: bun bench/percentile-plot.ts out.svg "title" label1=file1.hgrm [label2=file2.hgrm …]');
    process.exit(2);
  }
  const series = pairs.map((pair) => {
    const split = pair.indexOf("=");
    return { label: pair.slice(0, split), hgrm: readFileSync(pair.slice(split + 1), "utf8") };
  });
  writeFileSync(out, percentilePlotSvg(series, title));
}
