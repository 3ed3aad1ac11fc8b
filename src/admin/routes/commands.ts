/**
 * `GET /api/commands` (the registry's list) and `POST /api/commands/{name}` (the JSON body is the
 * command's arguments: a list of strings as a command line gives them, or an object of named ones; no
 * body means none). The body is checked here (JSON, then its shape with valibot) so a malformed one is a
 * 400 with a message; a command's error maps to a status by its kind: unknown 404, bad-arguments 400,
 * timeout 504, failed 500 with the command's own message and kind.
 *
 * @module
 */
import { Hono } from "hono";
import * as v from "valibot";
import { CommandError, type CommandErrorKind } from "../../core/commands/command-error.ts";
import type { JsonValue } from "../../core/commands/json-value.ts";
import type { AdminTargetRef } from "../admin-target.ts";
import { bodyText } from "../request-guards.ts";
import { whenRunning } from "./booting.ts";
// For the typed c.set("auditedCommand", …) (the context variables it declares).
import type {} from "../audit/caller.ts";

const STATUS: Record<CommandErrorKind, 400 | 404 | 500 | 504> = { unknown: 404, "bad-arguments": 400, failed: 500, timeout: 504 };

/** The arguments a command accepts over HTTP (see core/commands/command-args.ts). */
const commandArguments = v.union(
  [v.null(), v.string(), v.array(v.string()), v.custom<Record<string, JsonValue>>((named) => typeof named === "object" && named !== null && !Array.isArray(named))],
  "the body must be the command's arguments: a JSON list of strings (e.g. [\"pnl\", \"currency=EUR\"]) or an object of named arguments",
);

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
        const text = await bodyText(c);
        let body: unknown;
        try {
          body = text.trim() === "" ? undefined : JSON.parse(text);
        } catch (error) {
          return c.json({ error: `the body must be JSON (the command's arguments): ${(error as Error).message}` }, 400);
        }
        const args = body === undefined ? { success: true as const, output: undefined } : v.safeParse(commandArguments, body);
        c.set("auditedCommand", { name: c.req.param("name"), args: args.success ? args.output : body });
        if (!args.success) return c.json({ error: args.issues[0].message }, 400);
        try {
          return c.json({ result: await server.command(c.req.param("name"), args.output as JsonValue | undefined) });
        } catch (error) {
          if (error instanceof CommandError) return c.json({ error: error.message, kind: error.kind }, STATUS[error.kind]);
          throw error;
        }
      }));
}
