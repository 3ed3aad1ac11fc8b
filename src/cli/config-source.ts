/**
 * Where a command's configuration comes from: a YAML file, or the built-in demo.
 *
 * @module
 */
import { parseYamlConfig, loadYamlConfig, type LoadedConfig } from "../config/yaml-loader.ts";
import { DEMO_BASE_DIR, DEMO_YAML } from "../demo/demo.ts";

/** Loads `path`, or the built-in demo when there is none. Throws ConfigError (syntax, variables, unreadable file). */
export function configSource(path: string | undefined): LoadedConfig {
  return path === undefined ? parseYamlConfig(DEMO_YAML, "built-in demo", DEMO_BASE_DIR) : loadYamlConfig(path);
}
