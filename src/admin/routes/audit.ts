/**
 * `GET /api/audit?limit=N`: the last N entries of the audit log (default 50, at most 1000), newest last,
 * read from the file's tail. `enabled: false` and no entries when `admin.auditLog` is not set. Served
 * while the server boots too: the log is the admin server's own.
 *
 * @module
 */
import { Hono } from "hono";
import { type AuditLog, MAX_AUDIT_TAIL } from "../audit/audit-log.ts";

const DEFAULT_LIMIT = 50;

/**
 * @example
 * ```ts
 * app.route("/", auditRoutes(audit));
 * // curl localhost:8080/api/audit?limit=5 → {"enabled":true,"entries":[…]}
 * ```
 */
export function auditRoutes(audit: AuditLog | undefined): Hono {
  return new Hono().get("/api/audit", (c) => {
    const asked = c.req.query("limit");
    const limit = asked === undefined ? DEFAULT_LIMIT : Number(asked);
    if (!Number.isInteger(limit) || limit < 0 || limit > MAX_AUDIT_TAIL) {
      return c.json({ error: `limit must be an integer from 0 to ${MAX_AUDIT_TAIL}, got "${asked}"` }, 400);
    }
    return c.json({ enabled: audit !== undefined, entries: audit?.tail(limit) ?? [] });
  });
}
