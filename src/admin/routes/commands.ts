/**
 * `GET /api/commands` (the registry's list) and `POST /api/commands/{name}` (the JSON body is the
 * command's arguments; no body means none). A command's error maps to a status by its kind: unknown 404,
 * bad-arguments 400, timeout 504, failed 500 with the command's own message.
 *
 * @module
 */
import { Hono } from "hono";
import { CommandError, type CommandErrorKind } from "../../core/commands/command-error.ts";
import type { JsonValue } from "../../core/commands/json-value.ts";
import type { AdminTargetRef } from "../admin-target.ts";
import { whenRunning } from "./booting.ts";

const STATUS: Record<CommandErrorKind, 400 | 404 | 500 | 504> = { unknown: 404, "bad-arguments": 400, failed: 500, timeout: 504 };

/** The largest request body a command accepts. */
const MAX_BODY_BYTES = 1 << 20;

/**
 * @example
 * ```ts
 * app.route("/", commandRoutes(() => server));
 * // curl -X POST localhost:8080/api/commands/help -d '["quit"]'
 * ```
 */
export function commandRoutes(target: AdminTargetRef): Hono {
  return new Hono()
    .get("/api/commands", (c) => whenRunning(target, c, (server) => c.json(server.commands())))
    .post("/api/commands/:name", (c) =>
      whenRunning(target, c, async (server) => {
        const text = await c.req.text();
        if (text.length > MAX_BODY_BYTES) return c.json({ error: `request body over ${MAX_BODY_BYTES} bytes` }, 413);
        let args: JsonValue | undefined;
        try {
          args = text.trim() === "" ? undefined : JSON.parse(text) as JsonValue;
        } catch (error) {
          return c.json({ error: `the body must be JSON (the command's arguments): ${(error as Error).message}` }, 400);
        }
        try {
          return c.json({ result: await server.command(c.req.param("name"), args) });
        } catch (error) {
          if (error instanceof CommandError) return c.json({ error: error.message, kind: error.kind }, STATUS[error.kind]);
          throw error;
        }
      }));
}
