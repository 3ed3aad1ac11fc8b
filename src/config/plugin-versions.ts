/**
 * The plugin modules a plan runs (handler, service, feed and sink modules) with what each declares in its
 * `mongoosePlugin` export, for `/api/topology`'s `versions` and `mongoose --version`'s readers; a module
 * targeting an incompatible plugin API fails here, so a server booted from a configuration object (no
 * preflight) refuses it too.
 *
 * @module
 */
import { ModuleLoadError } from "../modules/module-loader.ts";
import { readPluginManifest } from "../modules/plugin-manifest.ts";
import type { ModuleSource, ServerPlan } from "../plan/types.ts";
import type { PluginVersion } from "../plan/versions.ts";
import { ConfigError } from "./config-error.ts";

/**
 * Every plugin module of `plan`, in configuration order; throws ConfigError naming each module whose
 * manifest is malformed or incompatible.
 *
 * @example
 * ```ts
 * const plugins = await pluginVersions(plan);
 * // [{ module: "./my-feed.ts", kind: "feed", component: "prices", declared: true, name: "my-feed", version: "1.2.0", pluginApi: "1" }]
 * ```
 */
export async function pluginVersions(plan: ServerPlan): Promise<PluginVersion[]> {
  const uses: { source: ModuleSource; kind: PluginVersion["kind"]; component: string }[] = [
    ...plan.agents.flatMap((agent) => agent.handlers.flatMap((handler) => handler.source.kind === "module" ? [{ source: handler.source, kind: "handler" as const, component: `${agent.name}/${handler.name}` }] : [])),
    ...plan.services.flatMap((service) => service.source.kind === "module" ? [{ source: service.source, kind: "service" as const, component: service.name }] : []),
    ...plan.feeds.flatMap((feed) => feed.module ? [{ source: feed.module, kind: "feed" as const, component: feed.name }] : []),
    ...plan.sinks.flatMap((sink) => sink.module ? [{ source: sink.module, kind: "sink" as const, component: sink.name }] : []),
  ];
  const problems: string[] = [];
  const versions: PluginVersion[] = [];
  for (const { source, kind, component } of uses) {
    try {
      const manifest = await readPluginManifest(source);
      const base = { module: source.display, kind, component };
      versions.push(manifest ? { ...base, declared: true, ...manifest } : { ...base, declared: false });
    } catch (error) {
      if (!(error instanceof ModuleLoadError)) throw error;
      problems.push(`${kind} "${component}": ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return versions;
}
