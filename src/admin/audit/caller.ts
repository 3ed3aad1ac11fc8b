/**
 * Who made an admin request, as the access control established it and the audit log records it: the id
 * of the token the caller presented (never the token), `anonymous` when none was needed or given, or
 * `rejected` when the request was refused. Kept on the request's Hono context.
 *
 * @module
 */
import type { Context } from "hono";

/** A token id from `admin.tokens` (`admin.token` is `default`), `anonymous` or `rejected`. */
export type TokenId = string;

declare module "hono" {
  interface ContextVariableMap {
    /** Set by the access control on every request. */
    tokenId: TokenId;
    /** Set by a route that ran an admin command: what it ran, for the audit log. */
    auditedCommand: { name: string; args?: unknown };
  }
}

/**
 * The token id the access control gave the request (`anonymous` when it did not run).
 *
 * @example
 * ```ts
 * app.post("/x", (c) => c.text(`hello ${tokenIdOf(c)}`));
 * ```
 */
export function tokenIdOf(c: Context): TokenId {
  return c.get("tokenId") ?? "anonymous";
}
