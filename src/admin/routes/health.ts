/**
 * `GET /health/live` and `GET /health/ready` for probes (Kubernetes, load balancers): 200 with the
 * details, or 503 with the reasons as JSON; both 503 while the server boots.
 *
 * @module
 */
import { Hono } from "hono";
import type { BacklogLimit } from "../../plan/types.ts";
import type { AdminTargetRef } from "../admin-target.ts";
import { liveness, readiness } from "../health-checks.ts";
import { whenRunning } from "./booting.ts";

/**
 * @example
 * ```ts
 * app.route("/", healthRoutes(() => server, { fraction: 0.5 }));
 * // curl -f localhost:8080/health/ready
 * ```
 */
export function healthRoutes(target: AdminTargetRef, maxBacklog: BacklogLimit): Hono {
  return new Hono()
    .get("/health/live", (c) =>
      whenRunning(target, c, (server) => {
        const { ok, reasons } = liveness(server);
        const agents = server.health().agents;
        return ok ? c.json({ live: true, agents }) : c.json({ live: false, reasons, agents }, 503);
      }))
    .get("/health/ready", (c) =>
      whenRunning(target, c, async (server) => {
        const { ok, reasons } = await readiness(server, maxBacklog);
        return ok ? c.json({ ready: true }) : c.json({ ready: false, reasons }, 503);
      }));
}
