/**
 * The handlers' latency for `/metrics`: Prometheus summaries `mongoose_handler_latency_seconds`
 * (publish→handle) and `mongoose_handler_service_seconds` (time in `onEvent`), labelled
 * `{agent, handler, quantile}` for 0.5, 0.9, 0.99 and 0.999, with `_sum` and `_count`, over the current
 * latency interval (since the last `latency.reset`) and from sampled events (`latency.sampleEvery`).
 * Nothing when recording is off.
 *
 * @module
 */
import type { LatencyStats } from "../../core/latency/latency-report.ts";
import type { MetricCollector, MetricFamily, MetricSample } from "./metric-family.ts";

const QUANTILES: readonly [string, keyof LatencyStats][] = [["0.5", "p50"], ["0.9", "p90"], ["0.99", "p99"], ["0.999", "p999"]];
const SECONDS_PER_MICRO = 1e-6;

function summarySamples(labels: Record<string, string>, stats: LatencyStats): MetricSample[] {
  return [
    ...QUANTILES.map(([quantile, key]) => ({ labels: { ...labels, quantile }, value: (stats[key] as number) * SECONDS_PER_MICRO })),
    { labels, value: stats.sum * SECONDS_PER_MICRO, suffix: "_sum" },
    { labels, value: stats.count, suffix: "_count" },
  ];
}

/**
 * @example
 * ```ts
 * const families = await latencyCollector(server);
 * families.map((f) => f.name); // ["mongoose_handler_latency_seconds", "mongoose_handler_service_seconds"]
 * ```
 */
export const latencyCollector: MetricCollector = (server) => {
  const summary = server.latency();
  if (!summary) return [];
  const family = (name: string, help: string, metric: "latency" | "service"): MetricFamily => ({
    name,
    help,
    type: "summary",
    samples: summary.handlers.flatMap((h) => summarySamples({ agent: h.agent, handler: h.handler }, h[metric])),
  });
  return [
    family("mongoose_handler_latency_seconds", `Publish to handle latency of sampled events (1 in ${summary.sampleEvery}), since the last latency.reset.`, "latency"),
    family("mongoose_handler_service_seconds", `Time in onEvent of sampled events (1 in ${summary.sampleEvery}), since the last latency.reset.`, "service"),
  ];
};
