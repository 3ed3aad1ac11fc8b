/**
 * `GET /metrics`: every collector's families in the Prometheus text format, for a Prometheus scrape.
 * Everything is read from shared memory (counters, ring headers, heartbeats) and the process: no agent
 * is messaged, so a scrape never slows the pipeline. 503 while the server boots, like every route.
 *
 * @module
 */
import { Hono } from "hono";
import type { AdminTargetRef } from "../admin-target.ts";
import { METRIC_COLLECTORS } from "../metrics/collectors.ts";
import type { MetricCollector } from "../metrics/metric-family.ts";
import { EXPOSITION_CONTENT_TYPE, renderExposition } from "../metrics/exposition.ts";
import { whenRunning } from "./booting.ts";

/**
 * @example
 * ```ts
 * app.route("/", metricsRoutes(() => server, [auditMetrics(audit)]));
 * // curl localhost:8080/metrics → # HELP mongoose_agent_duty_cycles_total Duty cycles run by the agent. …
 * ```
 */
export function metricsRoutes(target: AdminTargetRef, configured: MetricCollector[] = []): Hono {
  const collectors = [...METRIC_COLLECTORS, ...configured];
  return new Hono().get("/metrics", (c) =>
    whenRunning(target, c, async (server) => {
      const families = (await Promise.all(collectors.map((collect) => collect(server)))).flat();
      return c.body(renderExposition(families), 200, { "content-type": EXPOSITION_CONTENT_TYPE });
    }));
}
