/**
 * The versions the engine declares (README section "Versions and compatibility"): the engine's own
 * (package.json), the configuration schema's and the plugin API's. The last two are semantic versions
 * `MAJOR.MINOR`: a minor bump only adds (new optional keys, new context methods), so what was valid stays
 * valid; a major bump may remove or change meaning, and a plugin built for another major is refused.
 *
 * @module
 */
import packageJson from "../../package.json" with { type: "json" };

/**
 * The engine version, e.g. `0.1.0`.
 *
 * @example
 * ```ts
 * console.log(`mongoose ${ENGINE_VERSION}`);
 * ```
 */
export const ENGINE_VERSION: string = packageJson.version;

/**
 * The version of the YAML/object configuration schema this engine reads.
 *
 * @example
 * ```ts
 * CONFIG_SCHEMA_VERSION; // "1.0"
 * ```
 */
export const CONFIG_SCHEMA_VERSION = "1.0";

/**
 * The version of the plugin API (handler, service, feed and sink modules) this engine offers; a plugin
 * may target this major at this minor or below.
 *
 * @example
 * ```ts
 * PLUGIN_API_VERSION; // "1.1"
 * ```
 */
// 1.1 added FeedContext.claimBatch and FeedContext.publishLine.
export const PLUGIN_API_VERSION = "1.1";

/**
 * The `mongoosePlugin` export of a plugin module.
 *
 * @example
 * ```ts
 * export const mongoosePlugin: PluginManifest = { name: "my-feed", version: "1.2.0", pluginApi: "1" };
 * ```
 */
export interface PluginManifest {
  /** The plugin's name, e.g. `my-feed`. */
  name: string;
  /** The plugin's own version, e.g. `1.2.0`. */
  version: string;
  /** The plugin API version it targets: `MAJOR` or `MAJOR.MINOR`, e.g. `"1"` or `"1.0"`. */
  pluginApi: string;
}

/**
 * One plugin module a server runs, with what it declares (`declared: false` when it has no `mongoosePlugin`).
 *
 * @example
 * ```ts
 * const feed: PluginVersion = { module: "./my-feed.ts", kind: "feed", component: "prices", declared: true, name: "my-feed", version: "1.2.0", pluginApi: "1" };
 * ```
 */
export type PluginVersion =
  & {
    /** The module as the configuration names it. */
    module: string;
    kind: "handler" | "service" | "feed" | "sink";
    /** The component it runs as (`agent/handler` for a handler). */
    component: string;
  }
  & ({ declared: true } & PluginManifest | { declared: false });

/**
 * What `/api/topology` reports under `versions`.
 *
 * @example
 * ```ts
 * const { engine, runtime, configSchema, pluginApi, plugins } = server.topology().versions;
 * ```
 */
export interface Versions {
  engine: string;
  runtime: { name: string; version: string };
  configSchema: string;
  pluginApi: string;
  plugins: PluginVersion[];
}
