/**
 * One Prometheus metric family as the admin server's collectors produce it: `/metrics` renders every
 * family of every collector in the text exposition format (HELP, TYPE, escaped labels).
 *
 * @module
 */
import type { AdminTarget } from "../admin-target.ts";

/** One sample of a family; `suffix` names a sub-series (`_sum`, `_count`, `_bucket`). */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
  suffix?: string;
}

/**
 * @example
 * ```ts
 * const family: MetricFamily = { name: "mongoose_handler_events_total", help: "Events delivered.", type: "counter", samples: [{ labels: { handler: "pnl" }, value: 42 }] };
 * ```
 */
export interface MetricFamily {
  /** Full name, `mongoose_` prefixed. */
  name: string;
  help: string;
  type: "counter" | "gauge" | "summary" | "histogram";
  samples: MetricSample[];
}

/**
 * Produces metric families from the running server when `/metrics` is scraped.
 *
 * @example
 * ```ts
 * const uptime: MetricCollector = () => [{ name: "mongoose_uptime_seconds", help: "Seconds since boot.", type: "gauge", samples: [{ labels: {}, value: performance.now() / 1000 }] }];
 * ```
 */
export type MetricCollector = (server: AdminTarget) => MetricFamily[] | Promise<MetricFamily[]>;
