/**
 * Who may use the admin server. With `admin.token` set, every request that changes something (every
 * method but GET and HEAD, so every command) needs `Authorization: Bearer <token>`; with
 * `protectReads` every request does. Mounted first, so no route runs for a refused request.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { AdminPlan } from "../plan/types.ts";

const READ_METHODS = new Set(["GET", "HEAD"]);
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
 * The access-control middleware for `settings`; lets everything through when no token is set.
 *
 * @example
 * ```ts
 * app.use(accessControl({ ...plan.admin, token: "s3cret" }));
 * // POST /api/commands/quit without "Authorization: Bearer s3cret" → 401
 * ```
 */
export function accessControl(settings: Pick<AdminPlan, "token" | "protectReads">): MiddlewareHandler {
  const token = settings.token;
  return async (c, next) => {
    if (token === undefined || (READ_METHODS.has(c.req.method) && !settings.protectReads)) return await next();
    const header = c.req.header("authorization");
    if (header === undefined) {
      return c.json({ error: `${c.req.method} ${c.req.path} needs "Authorization: Bearer <token>" (admin.token is set); mongoose admin takes --token or MONGOOSE_ADMIN_TOKEN` }, 401, { "WWW-Authenticate": 'Bearer realm="mongoose admin"' });
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!bearer || !sameSecret(bearer[1], token)) {
      return c.json({ error: `${c.req.method} ${c.req.path}: wrong token (the Authorization header must be "Bearer " followed by admin.token)` }, 401, { "WWW-Authenticate": 'Bearer realm="mongoose admin", error="invalid_token"' });
    }
    await next();
  };
}
