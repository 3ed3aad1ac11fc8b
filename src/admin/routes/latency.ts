/**
 * `GET /api/latency`: every handler's publish→handle latency and service time since the last reset
 * (count, p50 … p99.99, max, sum; microseconds), and `GET /api/latency/{handler}.hgrm`: one handler's
 * distribution as HdrHistogram's percentile text (`?metric=latency|service`, `?agent=` when the name is
 * on several agents). 503 with a reason while booting or when recording is off; an unknown handler 404,
 * a bad metric or an ambiguous name 400.
 *
 * @module
 */
import { Hono } from "hono";
import { LATENCY_METRICS, type LatencyMetric } from "../../core/latency/latency-block.ts";
import { LatencyLookupError } from "../../core/latency/latency-report.ts";
import type { AdminTargetRef } from "../admin-target.ts";
import { whenRunning } from "./booting.ts";

const OFF = { error: "latency recording is off (latency.enabled: false in the configuration)" };
const HGRM = ".hgrm";

/**
 * @example
 * ```ts
 * app.route("/", latencyRoutes(() => server));
 * // curl localhost:8080/api/latency/pnl.hgrm?metric=service
 * ```
 */
export function latencyRoutes(target: AdminTargetRef): Hono {
  return new Hono()
    .get("/api/latency", (c) =>
      whenRunning(target, c, (server) => {
        const summary = server.latency();
        return summary ? c.json(summary) : c.json(OFF, 503);
      }))
    .get("/api/latency/:file", (c) =>
      whenRunning(target, c, (server) => {
        const file = c.req.param("file");
        if (!file.endsWith(HGRM)) return c.json({ error: `not found: ${c.req.path} (a distribution is /api/latency/{handler}.hgrm)` }, 404);
        const metric = c.req.query("metric") ?? "latency";
        if (!LATENCY_METRICS.includes(metric as LatencyMetric)) return c.json({ error: `metric must be one of ${LATENCY_METRICS.join(", ")}, got "${metric}"` }, 400);
        try {
          const text = server.latencyDistribution(file.slice(0, -HGRM.length), { metric: metric as LatencyMetric, agent: c.req.query("agent") });
          return text === undefined ? c.json(OFF, 503) : c.text(text);
        } catch (error) {
          if (error instanceof LatencyLookupError) return c.json({ error: error.message }, error.kind === "unknown" ? 404 : 400);
          throw error;
        }
      }));
}
