/**
 * `MONGOOSE_ADMIN_PORT`: the admin port `mongoose run` uses when the configuration sets none, so a
 * deployment (or a test suite running many servers at once) can move it, or pick a free one with 0,
 * without editing the YAML. A port written in the YAML wins; `admin: false` stays off.
 *
 * @module
 */
import { ConfigError } from "../config/config-error.ts";
import type { LoadedConfig } from "../config/yaml-loader.ts";

/**
 * `source` with `admin.port` from `env.MONGOOSE_ADMIN_PORT` where the configuration has no port.
 *
 * @example
 * ```ts
 * const source = withAdminPortFromEnv(loadYamlConfig("app.yaml"), { MONGOOSE_ADMIN_PORT: "0" });
 * ```
 */
export function withAdminPortFromEnv(source: LoadedConfig, env: Record<string, string | undefined>): LoadedConfig {
  const text = env.MONGOOSE_ADMIN_PORT;
  if (text === undefined || text === "") return source;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new ConfigError([`MONGOOSE_ADMIN_PORT: expected a port from 0 to 65535 (0 picks a free one), found "${text}"`]);
  const config = source.config as Record<string, unknown> | null;
  if (typeof config !== "object" || config === null) return source;
  const admin = config.admin ?? {};
  if (typeof admin !== "object" || admin === null || "port" in admin) return source;
  return { ...source, config: { ...config, admin: { ...admin, port } } };
}
