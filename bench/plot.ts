/**
 * Draws latency percentile curves as an SVG: x is the percentile on HdrHistogram's usual log scale
 * (1/(1-p): 90 %, 99 %, 99.9 %… equally spaced), y is latency on a log scale.
 */

/** One curve: points of (percentile, nanoseconds). */
export interface Curve {
  label: string;
  color: string;
  points: { percentile: number; nanos: number }[];
}

const WIDTH = 900;
const HEIGHT = 520;
const LEFT = 80;
const RIGHT = 220;
const TOP = 40;
const BOTTOM = 60;

const xOf = (percentile: number) => Math.log10(1 / (1 - Math.min(percentile, 99.999) / 100));
const formatNanos = (nanos: number) => (nanos >= 1e6 ? `${nanos / 1e6} ms` : nanos >= 1e3 ? `${nanos / 1e3} µs` : `${nanos} ns`);

/** Renders curves into a standalone SVG document. */
export function percentilePlot(title: string, curves: Curve[]): string {
  const xMax = xOf(99.999);
  const values = curves.flatMap((c) => c.points.map((p) => Math.max(1, p.nanos)));
  const yMin = Math.floor(Math.log10(Math.min(...values)));
  const yMax = Math.ceil(Math.log10(Math.max(...values)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (percentile: number) => LEFT + (xOf(percentile) / xMax) * plotWidth;
  const y = (nanos: number) => TOP + plotHeight - ((Math.log10(Math.max(1, nanos)) - yMin) / (yMax - yMin)) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${LEFT}" y="24" font-size="15" font-weight="bold">${title}</text>`,
  ];
  for (let exponent = yMin; exponent <= yMax; exponent++) {
    const nanos = 10 ** exponent;
    parts.push(`<line x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${y(nanos)}" y2="${y(nanos)}" stroke="#ddd"/>`);
    parts.push(`<text x="${LEFT - 8}" y="${y(nanos) + 4}" text-anchor="end">${formatNanos(nanos)}</text>`);
  }
  for (const percentile of [0, 90, 99, 99.9, 99.99, 99.999]) {
    parts.push(`<line x1="${x(percentile)}" x2="${x(percentile)}" y1="${TOP}" y2="${TOP + plotHeight}" stroke="#ddd"/>`);
    parts.push(`<text x="${x(percentile)}" y="${TOP + plotHeight + 18}" text-anchor="middle">${percentile}%</text>`);
  }
  parts.push(`<text x="${LEFT + plotWidth / 2}" y="${HEIGHT - 16}" text-anchor="middle">percentile</text>`);
  curves.forEach((curve, index) => {
    const path = curve.points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.percentile).toFixed(1)},${y(p.nanos).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${curve.color}" stroke-width="2"/>`);
    const legendY = TOP + 10 + index * 20;
    parts.push(`<line x1="${WIDTH - RIGHT + 16}" x2="${WIDTH - RIGHT + 40}" y1="${legendY}" y2="${legendY}" stroke="${curve.color}" stroke-width="3"/>`);
    parts.push(`<text x="${WIDTH - RIGHT + 46}" y="${legendY + 4}">${curve.label}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}
