/**
 * Every collector `/metrics` runs, in one list: a new concern adds its collector here.
 *
 * @module
 */
import { agentMetrics } from "./agent-metrics.ts";
import { counterMetrics } from "./counter-metrics.ts";
import { latencyCollector } from "./latency-collector.ts";
import type { MetricCollector } from "./metric-family.ts";
import { processMetrics } from "./process-metrics.ts";
import { queueMetrics } from "./queue-metrics.ts";
import { tuningMetrics } from "./tuning-metrics.ts";

/**
 * @example
 * ```ts
 * const families = (await Promise.all(METRIC_COLLECTORS.map((collect) => collect(server)))).flat();
 * ```
 */
export const METRIC_COLLECTORS: MetricCollector[] = [counterMetrics, queueMetrics, agentMetrics, latencyCollector, processMetrics, tuningMetrics];
