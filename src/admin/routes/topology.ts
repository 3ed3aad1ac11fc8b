/**
 * `GET /api/topology`: agents (idle strategy, state, pinned core), feeds with their subscribers, sinks,
 * services, pipes and rings, as the embedding API's `topology()` gives them.
 *
 * @module
 */
import { Hono } from "hono";
import type { AdminTargetRef } from "../admin-target.ts";
import { whenRunning } from "./booting.ts";

/**
 * @example
 * ```ts
 * app.route("/", topologyRoutes(() => server));
 * ```
 */
export function topologyRoutes(target: AdminTargetRef): Hono {
  return new Hono().get("/api/topology", (c) => whenRunning(target, c, (server) => c.json(server.topology())));
}
