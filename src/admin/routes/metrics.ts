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
import { EXPOSITION_CONTENT_TYPE, renderExposition } from "../metrics/exposition.ts";
import { whenRunning } from "./booting.ts";

/**
 * @example
 * ```ts
 * app.route("/", metricsRoutes(() => server));
 * // curl localhost:8080/metrics → # HELP mongoose_agent_duty_cycles_total Duty cycles run by the agent. …
 * ```
 */
export function metricsRoutes(target: AdminTargetRef): Hono {
  return new Hono().get("/metrics", (c) =>
    whenRunning(target, c, async (server) => {
      const families = (await Promise.all(METRIC_COLLECTORS.map((collect) => collect(server)))).flat();
      return c.body(renderExposition(families), 200, { "content-type": EXPOSITION_CONTENT_TYPE });
    }));
}
