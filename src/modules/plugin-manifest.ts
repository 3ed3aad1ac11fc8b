/**
 * What a plugin module (a handler, service, feed or sink module) may declare about itself: its name, its
 * version and the plugin API version it targets, as the export `mongoosePlugin`. A module that targets
 * an incompatible plugin API (another major, or a newer minor than the engine offers) is refused before
 * anything starts, naming the module, what it declares and what the engine supports. Declaring nothing
 * is allowed: the module is shown as undeclared.
 *
 * @module
 */
import type { ModuleSource } from "../plan/types.ts";
import { PLUGIN_API_VERSION, type PluginManifest } from "../plan/versions.ts";
import { ModuleLoadError } from "./module-loader.ts";

/**
 * The export name a plugin declares itself under.
 *
 * @example
 * ```ts
 * const manifest = (await import(url))[MANIFEST_EXPORT];
 * ```
 */
export const MANIFEST_EXPORT = "mongoosePlugin";

/**
 * Why `declared` cannot run on an engine offering `supported` (both `MAJOR[.MINOR]`), or undefined when
 * it can.
 *
 * @example
 * ```ts
 * pluginApiMismatch("1", "1.0"); // undefined
 * pluginApiMismatch("2.0", "1.0"); // "another major (2)"
 * ```
 */
export function pluginApiMismatch(declared: string, supported: string = PLUGIN_API_VERSION): string | undefined {
  const wanted = /^(\d+)(?:\.(\d+))?$/.exec(declared);
  if (!wanted) return `pluginApi must be "MAJOR" or "MAJOR.MINOR" (e.g. "1" or "1.0")`;
  const [major, minor] = supported.split(".").map(Number);
  if (Number(wanted[1]) !== major) return `another major (${wanted[1]})`;
  if (wanted[2] !== undefined && Number(wanted[2]) > minor) return `a newer minor (${declared})`;
  return undefined;
}

/**
 * The module's manifest, `undefined` when it declares none; throws {@link ModuleLoadError} when the
 * manifest is malformed or targets an incompatible plugin API.
 *
 * @example
 * ```ts
 * await readPluginManifest({ url: "file:///app/feed.ts", exportName: "default", display: "./feed.ts" });
 * // { name: "my-feed", version: "1.2.0", pluginApi: "1" }
 * ```
 */
export async function readPluginManifest(source: ModuleSource): Promise<PluginManifest | undefined> {
  let module: Record<string, unknown>;
  try {
    module = await import(source.url);
  } catch {
    return undefined; // Not loadable: the export check reports why.
  }
  const manifest = module[MANIFEST_EXPORT] as Partial<PluginManifest> | undefined;
  if (manifest === undefined) return undefined;
  const where = `${source.display} (export ${MANIFEST_EXPORT})`;
  const fields = ["name", "version", "pluginApi"] as const;
  const missing = typeof manifest === "object" && manifest !== null ? fields.filter((field) => typeof manifest[field] !== "string") : fields;
  if (missing.length > 0) throw new ModuleLoadError(where, `expected {name, version, pluginApi} as strings; ${missing.join(", ")} missing or not a string`);
  const mismatch = pluginApiMismatch(manifest.pluginApi!);
  if (mismatch) {
    const [major] = PLUGIN_API_VERSION.split(".");
    throw new ModuleLoadError(where, `plugin "${manifest.name}" ${manifest.version} declares pluginApi "${manifest.pluginApi}": ${mismatch}; this engine supports plugin API ${PLUGIN_API_VERSION} (pluginApi "${major}" up to "${PLUGIN_API_VERSION}")`);
  }
  return manifest as PluginManifest;
}
