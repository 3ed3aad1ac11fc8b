/**
 * Serves the admin application on the runtime's HTTP server: started before the agents (a port in use
 * then fails the boot before anything started, naming the setting to change), stopped with the server.
 *
 * @module
 */
import { ConfigError } from "../config/config-error.ts";
import type { Logger } from "../log/log.ts";
import type { AdminPlan } from "../plan/types.ts";
import type { HttpServer, Runtime } from "../runtime/types.ts";
import type { AdminTargetRef } from "./admin-target.ts";
import { createAdminApp } from "./app.ts";
import { AuditLog } from "./audit/audit-log.ts";
import type { AdminBindings } from "./audit/audit-requests.ts";
import { readTlsFiles } from "./tls-files.ts";

/** A listening admin server. */
export interface AdminServer {
  /** Where it listens, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** The audit log, when `admin.auditLog` is set. */
  readonly audit?: AuditLog;
  close(): Promise<void>;
}

function isAddressInUse(error: unknown): boolean {
  const text = `${(error as { code?: string })?.code ?? ""} ${(error as Error)?.name ?? ""} ${(error as Error)?.message ?? ""}`;
  return /EADDRINUSE|AddrInUse|address already in use|in use/i.test(text);
}

/**
 * Starts the admin server; throws ConfigError when its port is taken.
 *
 * @example
 * ```ts
 * const admin = await startAdminServer(() => server, plan.admin, runtime, log);
 * log.info(`admin: ${admin.url}`);
 * await admin.close();
 * ```
 */
export async function startAdminServer(target: AdminTargetRef, settings: AdminPlan, runtime: Runtime, log: Logger): Promise<AdminServer> {
  const audit = settings.auditLog === undefined ? undefined : new AuditLog(settings.auditLog, log);
  const app = createAdminApp(target, settings, audit);
  const tls = readTlsFiles(settings.tls);
  let http: HttpServer;
  try {
    http = await runtime.serve((request, client) => app.fetch(request, { remoteAddress: client.address } satisfies AdminBindings), { hostname: settings.host, port: settings.port, tls });
  } catch (error) {
    if (!isAddressInUse(error)) throw error;
    throw new ConfigError([`admin.port: port ${settings.port} on ${settings.host} is already in use (another server?); choose another admin.port (0 picks a free one), or turn the admin server off with admin: false`]);
  }
  const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host;
  const url = `${settings.tls ? "https" : "http"}://${host}:${http.port}/`;
  log.info(`admin: ${url}`);
  return { url, audit, close: () => http.close() };
}
