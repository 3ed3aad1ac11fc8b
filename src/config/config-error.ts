/**
 * The error every configuration problem ends in: all problems at once, each located.
 *
 * @module
 */

/**
 * The configuration is invalid; `problems` lists every problem found, each naming its path (and, for a
 * YAML file, `file:line:col`).
 *
 * @example
 * ```ts
 * throw new ConfigError(["app.yaml:3:5 eventFeeds[0].type: expected one of file, memory, got \"fil\""]);
 * ```
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}
