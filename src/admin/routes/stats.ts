/**
 * `GET /api/stats`: everything that moves, in one small JSON answer for the dashboard to poll: every
 * shared-memory counter (without its help text), every ring's depth and statistics, each agent's health,
 * the latest errors and the process's memory. `at` is a monotonic clock in milliseconds, so a client
 * computes rates from two answers without trusting its own timing of the requests.
 *
 * @module
 */
import { Hono } from "hono";
import type { AdminTargetRef } from "../admin-target.ts";
import { processMemory } from "../process-memory.ts";
import { whenRunning } from "./booting.ts";

/** How many of the latest error reports the answer carries. */
const RECENT_ERRORS = 20;

/**
 * @example
 * ```ts
 * app.route("/", statsRoutes(() => server));
 * // curl localhost:8080/api/stats → {"at":1234.5,"counters":[…],"rings":[…],"agents":[…],"errors":[…],"memory":{…}}
 * ```
 */
export function statsRoutes(target: AdminTargetRef): Hono {
  return new Hono().get("/api/stats", (c) =>
    whenRunning(target, c, (server) =>
      c.json({
        at: performance.now(),
        counters: server.counters().map(({ name, labels, value }) => ({ name, labels, value })),
        rings: server.topology().rings,
        agents: server.health().agents,
        errors: server.errors().slice(-RECENT_ERRORS),
        memory: processMemory(),
      })));
}
