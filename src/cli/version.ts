/**
 * What `mongoose --version` prints: the version, the runtime running it and the target it was built for
 * on the first line (scripts match it), then the config schema and plugin API versions it supports.
 * `build.ts` bakes the target in with `bun build --define MONGOOSE_BUILD_TARGET='"linux-arm64"'`; run from
 * the sources the identifier is undefined and the target reads `source`.
 *
 * @module
 */
import { CONFIG_SCHEMA_VERSION, ENGINE_VERSION, PLUGIN_API_VERSION } from "../plan/versions.ts";
import { runtime } from "../runtime/mod.ts";

declare const MONGOOSE_BUILD_TARGET: string | undefined;

/** The package version, e.g. `0.1.0`. */
export const VERSION: string = ENGINE_VERSION;

/** The build target baked in by `build.ts` (`linux-x64`, `windows-x64`, …), else `source`. */
export const BUILD_TARGET: string = typeof MONGOOSE_BUILD_TARGET === "string" ? MONGOOSE_BUILD_TARGET : "source";

/**
 * The `--version` line.
 *
 * @example
 * ```ts
 * versionLine(); // "mongoose 0.1.0 (bun 1.4.5, linux-arm64)"
 * ```
 */
export function versionLine(): string {
  return `mongoose ${VERSION} (${runtime.name} ${runtime.version}, ${BUILD_TARGET})`;
}

/**
 * The whole `--version` text: {@link versionLine}, then the configuration schema and plugin API versions.
 *
 * @example
 * ```ts
 * versionText(); // "mongoose 0.1.0 (bun 1.4.5, linux-arm64)\nconfig schema 1.0\nplugin API 1.1"
 * ```
 */
export function versionText(): string {
  const [schemaMajor] = CONFIG_SCHEMA_VERSION.split(".");
  const [apiMajor] = PLUGIN_API_VERSION.split(".");
  return [
    versionLine(),
    `config schema ${CONFIG_SCHEMA_VERSION} (reads configurations written for ${schemaMajor}.x up to ${CONFIG_SCHEMA_VERSION})`,
    `plugin API ${PLUGIN_API_VERSION} (runs plugins declaring pluginApi "${apiMajor}" or "${apiMajor}.0" up to "${PLUGIN_API_VERSION}")`,
  ].join("\n");
}
