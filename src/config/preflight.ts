/**
 * Checks a configuration completely before anything starts: the schema, names and references (the plan),
 * and every module it names (handlers, services, value mappers, feed and sink plugins): each is imported on the
 * calling thread and its export checked, without constructing anything (the agents build their own), and
 * the plugin API version it declares, if any (modules/plugin-manifest.ts).
 * Module checks run even when the schema has problems elsewhere, so one run lists everything wrong.
 *
 * @module
 */
import { checkExport, ModuleLoadError } from "../modules/module-loader.ts";
import { readPluginManifest } from "../modules/plugin-manifest.ts";
import { ConfigError } from "./config-error.ts";
import type { ServerPlan } from "../plan/types.ts";
import { buildPlan, moduleSource, type PlanOptions } from "./plan.ts";
import { type ConfigPath, type ConfigProblem, formatProblems, type Locator, sortLocated } from "./problems.ts";

/** Entries of a list that may be missing or malformed in a configuration not yet validated. */
const listed = (value: unknown): [number, Record<string, unknown>][] =>
  Array.isArray(value) ? [...value.entries()].filter((entry): entry is [number, Record<string, unknown>] => isMap(entry[1])) : [];
const isMap = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const mapperModule = (value: unknown): string | undefined => (value === "string" || value === "json" ? undefined : text(value));

/** A module reference found in the configuration, and what its export must be. */
interface ModuleUse {
  path: ConfigPath;
  reference: string;
  kind: string;
  method?: string;
}

/** Every module the configuration names; tolerant of a configuration that is invalid elsewhere. */
function modulesOf(config: unknown): ModuleUse[] {
  if (!isMap(config)) return [];
  const uses: ModuleUse[] = [];
  for (const [index, group] of listed(config.eventHandlers)) {
    for (const [name, spec] of Object.entries(isMap(group.eventHandlers) ? group.eventHandlers : {})) {
      const reference = isMap(spec) ? text(spec.handler) : undefined;
      if (reference) uses.push({ path: ["eventHandlers", index, "eventHandlers", name, "handler"], reference, kind: "handler", method: "onEvent" });
    }
  }
  for (const [index, service] of listed(config.services)) {
    const reference = text(service.handler);
    if (reference) uses.push({ path: ["services", index, "handler"], reference, kind: "service" });
  }
  const plugins = { eventFeeds: { kind: "feed", method: undefined }, eventSinks: { kind: "sink", method: "accept" }, pipes: undefined };
  for (const section of ["eventFeeds", "eventSinks", "pipes"] as const) {
    for (const [index, entry] of listed(config[section])) {
      const plugin = entry.type === "module" ? text(entry.module) : undefined;
      if (plugin && plugins[section]) uses.push({ path: [section, index, "module"], reference: plugin, ...plugins[section] });
      const mapper = mapperModule(entry.valueMapper);
      if (mapper) uses.push({ path: [section, index, "valueMapper"], reference: mapper, kind: "value mapper", method: "map" });
    }
  }
  return uses;
}

/** The problems of every module the configuration names. */
async function moduleProblems(config: unknown, baseDir: string): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const { path, reference, kind, method } of modulesOf(config)) {
    try {
      const source = moduleSource(reference, baseDir);
      await checkExport(source, kind, method);
      await readPluginManifest(source);
    } catch (error) {
      if (!(error instanceof ModuleLoadError)) throw error;
      problems.push({ path, message: `${error.where}: ${error.reason}` });
    }
  }
  return problems;
}

/**
 * Returns the plan, or throws {@link ConfigError} listing every problem (schema, references, modules),
 * in file order when located.
 *
 * @example
 * ```ts
 * const loaded = loadYamlConfig("app.yaml");
 * const plan = await preflight(loaded.config, { baseDir: loaded.baseDir, locate: loaded.locate });
 * ```
 */
export async function preflight(config: unknown, options: PlanOptions & { baseDir: string }): Promise<ServerPlan> {
  const { baseDir, locate } = options;
  let plan: ServerPlan | undefined;
  let problems: string[] = [];
  try {
    plan = buildPlan(config, options);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems = error.problems;
  }
  problems = sortLocated([...problems, ...formatProblems(await moduleProblems(config, baseDir), locate)]);
  if (plan === undefined || problems.length > 0) throw new ConfigError(problems);
  return plan;
}
