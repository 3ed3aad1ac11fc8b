/**
 * The scaling benchmark's chart as a standalone SVG (no dependencies): one panel per scenario, one bar
 * per configuration, its height the events/s through the slowest receiver at the report's first rate,
 * labelled with that rate and its ratio to the panel's first bar (latencies are in the table). Bars are
 * coloured by the receiving agents' idle strategy.
 *
 * @module
 */
import { COLORS, escapeXml } from "./percentile-plot.ts";
import type { PointResult, ScalingReport } from "./scaling.ts";

const PANEL_WIDTH = 330;
const PANEL_HEIGHT = 300;
const GAP = 30;
const TOP = 70;
const LEFT = 60;
const BOTTOM = 110;
const IDLE_COLORS: Record<string, string> = { busySpin: COLORS[0], backoff: COLORS[3], blocking: COLORS[2] };

/** One panel: its scenario's bars, with a y axis from 0 to a round maximum. */
function panel(points: PointResult[], x0: number): string[] {
  const max = Math.max(...points.map((p) => p.eventsPerSecond));
  const step = 10 ** Math.floor(Math.log10(max));
  const top = Math.ceil(max / step) * step;
  const plotHeight = PANEL_HEIGHT - 40;
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const slot = PANEL_WIDTH / points.length;
  const parts = [`<text x="${x0}" y="${TOP - 16}" font-size="14" font-weight="bold">${escapeXml(points[0].scenario)}</text>`];
  for (let tick = 0; tick <= top + step / 2; tick += step) {
    parts.push(`<line x1="${x0}" x2="${x0 + PANEL_WIDTH}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 6}" y="${y(tick).toFixed(1)}" dy="4" text-anchor="end">${Number((tick / 1e6).toFixed(2))}</text>`);
  }
  points.forEach((point, i) => {
    const x = x0 + i * slot + slot * 0.15;
    const width = slot * 0.7;
    const ratio = point.eventsPerSecond / points[0].eventsPerSecond;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y(point.eventsPerSecond).toFixed(1)}" width="${width.toFixed(1)}" height="${(TOP + plotHeight - y(point.eventsPerSecond)).toFixed(1)}" fill="${IDLE_COLORS[point.idle] ?? COLORS[7]}"/>`);
    parts.push(`<text x="${(x + width / 2).toFixed(1)}" y="${(y(point.eventsPerSecond) - 4).toFixed(1)}" text-anchor="middle" font-size="10">${(point.eventsPerSecond / 1e6).toFixed(2)} (${ratio.toFixed(2)}×)</text>`);
    const labelX = (x + width / 2).toFixed(1);
    const labelY = TOP + plotHeight + 10;
    parts.push(`<text transform="translate(${labelX} ${labelY}) rotate(-35)" text-anchor="end" font-size="10">${escapeXml(point.label)}</text>`);
  });
  parts.push(`<rect x="${x0}" y="${TOP}" width="${PANEL_WIDTH}" height="${plotHeight}" fill="none" stroke="#888"/>`);
  return parts;
}

/**
 * Renders the report's points at its first rate as a standalone SVG document.
 *
 * @example
 * ```ts
 * writeFileSync("bench/results/scaling-bun.svg", scalingPlotSvg(report));
 * ```
 */
export function scalingPlotSvg(report: ScalingReport): string {
  const rate = report.points[0]?.rate;
  const shown = report.points.filter((point) => point.rate === rate);
  if (shown.length === 0) throw new Error("scalingPlotSvg: the report has no points");
  const scenarios = [...new Set(shown.map((point) => point.scenario))];
  const width = LEFT + scenarios.length * (PANEL_WIDTH + GAP + LEFT);
  const height = TOP + PANEL_HEIGHT + BOTTOM;
  const title = `Scaling on ${report.runtime}, rate ${rate}: M events/s through the slowest receiver (× the panel's first bar)`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${LEFT}" y="26" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  scenarios.forEach((scenario, i) => parts.push(...panel(shown.filter((point) => point.scenario === scenario), LEFT + i * (PANEL_WIDTH + GAP + LEFT))));
  Object.entries(IDLE_COLORS).forEach(([idle, color], i) => {
    const x = width - 380 + i * 120;
    const y = 26;
    parts.push(`<rect x="${x}" y="${y - 9}" width="12" height="12" fill="${color}"/><text x="${x + 18}" y="${y + 1}">${idle}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
