/**
 * `GET /`: the live dashboard page (served even while the server boots: it then says so), and
 * `GET /api/dashboard/latency`: the latency curves it plots, gathered from the app's own latency routes.
 *
 * @module
 */
import { Hono } from "hono";
import type { AdminTargetRef } from "../admin-target.ts";
import { latencyCurves, type LocalFetch } from "../dashboard/latency-curves.ts";
import { dashboardPage } from "../dashboard/page.ts";
import { whenRunning } from "./booting.ts";

/**
 * @example
 * ```ts
 * app.route("/", dashboardRoutes(() => server, (path, init) => app.request(path, init)));
 * ```
 */
export function dashboardRoutes(target: AdminTargetRef, fetchLocal: LocalFetch): Hono {
  return new Hono()
    .get("/", (c) => c.html(dashboardPage()))
    .get("/api/dashboard/latency", (c) =>
      whenRunning(target, c, async (server) => {
        const handlers = server.topology().agents.flatMap((agent) => agent.handlers.map((handler) => handler.name));
        const authorization = c.req.header("authorization");
        return c.json(await latencyCurves(handlers, fetchLocal, authorization ? { authorization } : {}));
      }));
}
