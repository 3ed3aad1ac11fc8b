/**
 * The admin HTTP application (Hono): one route module per concern, mounted here, and the answers every
 * route shares: JSON errors, 404 for unknown paths, 405 for a wrong method, 503 while the server boots,
 * and never a 5xx for a malformed request.
 *
 * @module
 */
import { Hono } from "hono";
import type { AdminPlan } from "../plan/types.ts";
import type { AdminTargetRef } from "./admin-target.ts";
import { commandRoutes } from "./routes/commands.ts";
import { topologyRoutes } from "./routes/topology.ts";

/**
 * Builds the admin application for the server `target` returns.
 *
 * @example
 * ```ts
 * const app = createAdminApp(() => server, plan.admin);
 * const response = await app.request("/api/topology");
 * ```
 */
export function createAdminApp(target: AdminTargetRef, settings: AdminPlan): Hono {
  const app = new Hono();
  app.route("/", topologyRoutes(target));
  app.route("/", commandRoutes(target));
  app.notFound((c) => c.json({ error: `no such path: ${c.req.method} ${new URL(c.req.url).pathname}` }, 404));
  app.onError((error, c) => {
    const status = (error as { status?: number }).status;
    // A route's own HTTPException (bad input) keeps its 4xx; anything else is the server's fault.
    if (typeof status === "number" && status >= 400 && status < 500) return c.json({ error: error.message }, status as 400);
    return c.json({ error: `internal error: ${error.message}` }, 500);
  });
  void settings;
  return app;
}
