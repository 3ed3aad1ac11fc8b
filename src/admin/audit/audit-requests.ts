/**
 * The admin server's audit middleware: every mutating request (every method but GET and HEAD), and with
 * `admin.auditReads` every request, becomes one audit entry once answered, refused ones (401) included.
 * Mounted before the access control, so it sees the refusals; it reads what the access control and the
 * routes noted on the request (token id, command and arguments), never the Authorization header.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { isRead } from "../access-control.ts";
import type { AuditLog, AuditVia } from "./audit-log.ts";
import { tokenIdOf } from "./caller.ts";

/** What the runtime's HTTP server passes along with each request (see runtime/types.ts ServeClient). */
export interface AdminBindings {
  /** The caller's IP address. */
  remoteAddress?: string;
}

/**
 * The header `mongoose admin` announces itself with, so its calls read `via: cli`.
 *
 * @example
 * ```ts
 * await fetch(url, { method: "POST", headers: { [CLIENT_HEADER]: "cli" } });
 * ```
 */
export const CLIENT_HEADER = "x-mongoose-client";

/**
 * @example
 * ```ts
 * app.use(auditRequests(new AuditLog("audit.jsonl", log), { auditReads: false }));
 * ```
 */
export function auditRequests(audit: AuditLog, settings: { auditReads: boolean }): MiddlewareHandler {
  return async (c, next) => {
    if (isRead(c.req.method) && !settings.auditReads) return await next();
    const started = performance.now();
    await next();
    const command = c.get("auditedCommand");
    audit.record({
      via: viaOf(c),
      caller: (c.env as AdminBindings | undefined)?.remoteAddress,
      tokenId: tokenIdOf(c),
      request: `${c.req.method} ${c.req.path}`,
      ...(command && { command: command.name, args: command.args }),
      outcome: {
        ok: c.res.ok,
        status: c.res.status,
        ...(!c.res.ok && { error: await errorOf(c.res) }),
        durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      },
    });
  };
}

function viaOf(c: Context): AuditVia {
  return c.req.header(CLIENT_HEADER) === "cli" ? "cli" : "http";
}

/** The `error` of a JSON error answer (every admin route answers errors so), else the status text. */
async function errorOf(response: Response): Promise<string> {
  try {
    const body = await response.clone().json();
    return typeof body?.error === "string" ? body.error : (body?.reasons ?? []).join("; ") || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}
