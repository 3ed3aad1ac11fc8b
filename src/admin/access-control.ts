/**
 * Who may use the admin server. With `admin.token` or `admin.tokens` set, every request that changes
 * something (every method but GET and HEAD, so every command) needs `Authorization: Bearer <token>`; with
 * `protectReads` every request does. Mounted before the routes, so no route runs for a refused request;
 * it names the caller by token id for the audit log (see audit/caller.ts).
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AdminPlan } from "../plan/types.ts";
import type { TokenId } from "./audit/caller.ts";

const READ_METHODS = new Set(["GET", "HEAD"]);

/**
 * A request that only reads (GET, HEAD): open without a token unless `protectReads`, and not audited
 * unless `auditReads`.
 *
 * @example
 * ```ts
 * isRead("GET"); // true
 * isRead("POST"); // false
 * ```
 */
export function isRead(method: string): boolean {
  return READ_METHODS.has(method);
}
const encoder = new TextEncoder();

/**
 * Compares two secrets in time that depends only on their lengths, not on where they first differ, so
 * a caller cannot find the token a byte at a time by timing refusals.
 *
 * @example
 * ```ts
 * sameSecret("s3cret", "s3cret"); // true
 * sameSecret("s3cret", "s3creT"); // false
 * ```
 */
export function sameSecret(given: string, expected: string): boolean {
  const a = encoder.encode(given);
  const b = encoder.encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i % Math.max(a.length, 1)] ?? 0) ^ b[i];
  return difference === 0;
}

/**
 * The id of the token `secret` is, if any: `admin.tokens`' ids, and `default` for `admin.token`. Every
 * token is compared, so the time taken does not tell which one matched.
 *
 * @example
 * ```ts
 * tokenIdFor("s3cret", { tokens: { ci: "s3cret" } }); // "ci"
 * tokenIdFor("nope", { token: "s3cret", tokens: {} }); // undefined
 * ```
 */
export function tokenIdFor(secret: string, settings: Pick<AdminPlan, "token" | "tokens">): TokenId | undefined {
  let id: TokenId | undefined;
  for (const [name, expected] of namedTokens(settings)) if (sameSecret(secret, expected)) id ??= name;
  return id;
}

function namedTokens(settings: Pick<AdminPlan, "token" | "tokens">): [string, string][] {
  const named = Object.entries(settings.tokens ?? {});
  return settings.token === undefined ? named : [["default", settings.token], ...named];
}

/**
 * The access-control middleware for `settings`; lets everything through when no token is set.
 *
 * @example
 * ```ts
 * app.use(accessControl({ ...plan.admin, token: "s3cret" }));
 * // POST /api/commands/quit without "Authorization: Bearer s3cret" → 401
 * ```
 */
export function accessControl(settings: Pick<AdminPlan, "token" | "tokens" | "protectReads">): MiddlewareHandler {
  const guarded = namedTokens(settings).length > 0;
  return async (c, next) => {
    const header = c.req.header("authorization");
    const bearer = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim());
    const id = bearer ? tokenIdFor(bearer[1], settings) : undefined;
    c.set("tokenId", id ?? "anonymous");
    if (!guarded || (isRead(c.req.method) && !settings.protectReads)) return await next();
    if (id !== undefined) return await next();
    c.set("tokenId", "rejected");
    if (header === undefined) {
      return c.json({ error: `${c.req.method} ${c.req.path} needs "Authorization: Bearer <token>" (admin.token or admin.tokens is set); mongoose admin takes --token or MONGOOSE_ADMIN_TOKEN` }, 401, { "WWW-Authenticate": 'Bearer realm="mongoose admin"' });
    }
    return c.json({ error: `${c.req.method} ${c.req.path}: wrong token (the Authorization header must be "Bearer " followed by admin.token or one of admin.tokens)` }, 401, { "WWW-Authenticate": 'Bearer realm="mongoose admin", error="invalid_token"' });
  };
}
