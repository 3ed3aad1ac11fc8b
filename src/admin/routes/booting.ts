/**
 * The answer every route gives while the server boots: 503 with a reason, so a probe or a dashboard
 * polling during the boot sees why instead of an error.
 *
 * @module
 */
import type { Context } from "hono";
import type { AdminTarget, AdminTargetRef } from "../admin-target.ts";

/**
 * Runs `answer` with the running server, or answers 503 while it boots.
 *
 * @example
 * ```ts
 * app.get("/api/topology", (c) => whenRunning(target, c, (server) => c.json(server.topology())));
 * ```
 */
export function whenRunning(target: AdminTargetRef, c: Context, answer: (server: AdminTarget) => Response | Promise<Response>): Response | Promise<Response> {
  const server = target();
  if (!server) return c.json({ status: "booting", reasons: ["the server is still booting"] }, 503);
  return answer(server);
}
