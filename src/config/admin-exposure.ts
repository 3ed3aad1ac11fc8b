/**
 * Refuses an admin server that anyone on the network could steer: bound beyond loopback without a token,
 * unless the configuration says so explicitly (`admin.allowUnauthenticated: true`).
 *
 * @module
 */
import type { ConfigProblem } from "./problems.ts";

/**
 * Whether `host` only accepts connections from this machine.
 *
 * @example
 * ```ts
 * isLoopback("127.0.0.1"); // true
 * isLoopback("0.0.0.0");   // false: every interface
 * ```
 */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/**
 * The problem with `admin`'s exposure, if any.
 *
 * @example
 * ```ts
 * adminExposureProblems({ host: "0.0.0.0", allowUnauthenticated: false }); // [{ path: ["admin", "host"], message: "…" }]
 * ```
 */
export function adminExposureProblems(admin: { host: string; token?: string; tokens?: Record<string, string>; allowUnauthenticated: boolean } | false | undefined): ConfigProblem[] {
  if (!admin || admin.token !== undefined || Object.keys(admin.tokens ?? {}).length > 0 || admin.allowUnauthenticated || isLoopback(admin.host)) return [];
  return [{
    path: ["admin", "host"],
    message: `"${admin.host}" is not a loopback address and admin.token is not set (nor admin.tokens), so anyone who reaches it could run admin commands; set admin.token (e.g. "\${ADMIN_TOKEN}"), bind to 127.0.0.1, or set admin.allowUnauthenticated: true`,
  }];
}
