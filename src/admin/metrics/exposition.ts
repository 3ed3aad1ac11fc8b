/**
 * Renders metric families in the Prometheus text exposition format, version 0.0.4: `# HELP` and
 * `# TYPE` lines, then one line per sample, label values and help text escaped. The order is stable
 * (families by name, samples by label set, a histogram's buckets in the order given), so two scrapes of an
 * unchanged server give the same text and diffs stay readable.
 *
 * @module
 */
import type { MetricFamily, MetricSample } from "./metric-family.ts";

/**
 * The content type Prometheus expects for this format.
 *
 * @example
 * ```ts
 * return c.body(renderExposition(families), 200, { "content-type": EXPOSITION_CONTENT_TYPE });
 * ```
 */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A label value: backslash, double quote and line feed escaped. */
const escapeLabelValue = (value: string) => value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
/** Help text: backslash and line feed escaped (quotes stay as they are). */
const escapeHelp = (help: string) => help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");

/** A sample value as Prometheus parses it (Go's ParseFloat): `+Inf`, `-Inf` and `NaN` spelled its way. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const renderLabels = (labels: Record<string, string>) => {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
};

/** Orders samples by label set; `le` is left out so a histogram's buckets keep their given order (sort is stable). */
const seriesKey = (sample: MetricSample) => renderLabels(Object.fromEntries(Object.entries(sample.labels).filter(([name]) => name !== "le")));
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Renders `families` as one exposition text, ending with a line feed. Two families of the same name
 * are a bug in their collectors (Prometheus would reject the text), so they throw.
 *
 * @example
 * ```ts
 * renderExposition([{ name: "mongoose_feed_published_total", help: "Events published.", type: "counter", samples: [{ labels: { feed: "in" }, value: 3 }] }]);
 * // # HELP mongoose_feed_published_total Events published.
 * // # TYPE mongoose_feed_published_total counter
 * // mongoose_feed_published_total{feed="in"} 3
 * ```
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  const sorted = [...families].sort((a, b) => byName(a.name, b.name));
  sorted.forEach((family, index) => {
    if (index > 0 && sorted[index - 1].name === family.name) throw new Error(`metric family ${family.name} is produced twice`);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    const samples = family.samples.map((sample) => ({ sample, key: seriesKey(sample) })).sort((a, b) => byName(a.key, b.key));
    for (const { sample } of samples) lines.push(`${family.name}${sample.suffix ?? ""}${renderLabels(sample.labels)} ${formatValue(sample.value)}`);
  });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
