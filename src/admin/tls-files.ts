/**
 * Reads the admin server's TLS certificate and key (`admin.tls`), so a missing or unreadable file fails
 * the boot with a configuration error naming the key and the path, before anything started.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../config/config-error.ts";
import type { AdminPlan } from "../plan/types.ts";

/**
 * The PEM texts of `tls`, or undefined without TLS; throws ConfigError for a file it cannot read.
 *
 * @example
 * ```ts
 * const tls = readTlsFiles({ certFile: "/etc/mongoose/cert.pem", keyFile: "/etc/mongoose/key.pem" });
 * await runtime.serve(handler, { hostname: "0.0.0.0", port: 8443, tls });
 * ```
 */
export function readTlsFiles(tls: AdminPlan["tls"]): { cert: string; key: string } | undefined {
  if (!tls) return undefined;
  const problems: string[] = [];
  const read = (key: "certFile" | "keyFile") => {
    try {
      const text = readFileSync(tls[key], "utf8");
      if (!text.includes("-----BEGIN ")) problems.push(`admin.tls.${key}: ${tls[key]} is not a PEM file (no "-----BEGIN" line)`);
      return text;
    } catch (error) {
      problems.push(`admin.tls.${key}: cannot read ${tls[key]}: ${(error as { code?: string }).code ?? (error as Error).message}`);
      return "";
    }
  };
  const files = { cert: read("certFile"), key: read("keyFile") };
  if (problems.length > 0) throw new ConfigError(problems);
  return files;
}
