/**
 * The admin HTTP application (Hono): the audit log first (so it sees refusals), then access control, the answers every route shares (JSON errors,
 * 404, 405, 413), then one route module per concern, mounted here. Routes answer 503 while the server
 * boots, and never a 5xx for a malformed request.
 *
 * @module
 */
import { Hono } from "hono";
import type { AdminPlan } from "../plan/types.ts";
import { accessControl } from "./access-control.ts";
import type { AdminTargetRef } from "./admin-target.ts";
import type { AuditLog } from "./audit/audit-log.ts";
import { auditRequests } from "./audit/audit-requests.ts";
import { auditMetrics } from "./metrics/audit-metrics.ts";
import { auditRoutes } from "./routes/audit.ts";
import { guardRequests } from "./request-guards.ts";
import { commandRoutes } from "./routes/commands.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { feedEventRoutes } from "./routes/feed-events.ts";
import { healthRoutes } from "./routes/health.ts";
import { latencyRoutes } from "./routes/latency.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { statsRoutes } from "./routes/stats.ts";
import { topologyRoutes } from "./routes/topology.ts";

/**
 * Builds the admin application for the server `target` returns; with `audit`, its calls are audited.
 *
 * @example
 * ```ts
 * const app = createAdminApp(() => server, plan.admin);
 * const response = await app.request("/api/topology");
 * ```
 */
export function createAdminApp(target: AdminTargetRef, settings: AdminPlan, audit?: AuditLog): Hono {
  const app = new Hono();
  if (audit) app.use(auditRequests(audit, settings));
  app.use(accessControl(settings));
  guardRequests(app);
  app.route("/", healthRoutes(target, settings.readiness.maxBacklog));
  app.route("/", topologyRoutes(target));
  app.route("/", commandRoutes(target));
  app.route("/", feedEventRoutes(target));
  app.route("/", statsRoutes(target));
  app.route("/", latencyRoutes(target));
  app.route("/", metricsRoutes(target, audit ? [auditMetrics(audit)] : []));
  app.route("/", auditRoutes(audit));
  app.route("/", dashboardRoutes(target, (path, init) => app.request(path, init)));
  return app;
}
