/**
 * `mongoose validate`: checks a configuration (schema, references, variables, modules) without starting
 * anything; with `--print`, prints the effective configuration.
 *
 * @module
 */
import { stringify } from "yaml";
import { validateConfig } from "../config/plan.ts";
import { preflight } from "../config/preflight.ts";
import type { LoadedConfig } from "../config/yaml-loader.ts";

/** Validates; throws ConfigError listing every problem. Returns what to print. */
export async function validate(source: LoadedConfig, print: boolean): Promise<string> {
  const plan = await preflight(source.config, { baseDir: source.baseDir, locate: source.locate });
  if (print) return stringify(validateConfig(source.config, source.locate));
  const workers = plan.agents.filter((agent) => agent.mode === "worker").length;
  return `${source.source}: valid (${plan.feeds.length} feeds, ${plan.sinks.length} sinks, ${workers} worker agents)`;
}
