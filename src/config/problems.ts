/**
 * Configuration problems: a path into the configuration and what is wrong there, formatted with the file,
 * line and column when the configuration came from a file, e.g.
 * `app.yaml:14:20 eventFeeds[1].readStrategy: expected one of COMMITTED, …, got "LATESTT"`.
 *
 * @module
 */

/** Keys and indexes from the top of the configuration. */
export type ConfigPath = readonly (string | number)[];

export interface ConfigProblem {
  path: ConfigPath;
  message: string;
  /** Point at the key rather than its value (e.g. an unknown key). */
  atKey?: boolean;
}

/** Finds where a path is in the source (its value, or its key), as `file:line:col`; undefined when unknown. */
export type Locator = (path: ConfigPath, atKey?: boolean) => string | undefined;

/**
 * `eventFeeds[1].readStrategy` for `["eventFeeds", 1, "readStrategy"]`.
 *
 * @example
 * ```ts
 * pathText(["eventFeeds", 1, "readStrategy"]); // "eventFeeds[1].readStrategy"
 * ```
 */
export function pathText(path: ConfigPath): string {
  let text = "";
  for (const key of path) text += typeof key === "number" ? `[${key}]` : text === "" ? key : `.${key}`;
  return text || "(top level)";
}

/** One line per problem, located when a locator is given, in file order when located. */
export function formatProblems(problems: readonly ConfigProblem[], locate?: Locator): string[] {
  return sortLocated(problems.map((problem) => {
    const where = locate?.(problem.path, problem.atKey);
    const text = `${pathText(problem.path)}: ${problem.message}`;
    return where ? `${where} ${text}` : text;
  }));
}

/**
 * Sorts problem lines by their `file:line:col` prefix (unlocated ones last, in their order) and drops
 * repeats.
 *
 * @example
 * ```ts
 * sortLocated(["app.yaml:9:3 b: x", "app.yaml:2:5 a: y"]); // ["app.yaml:2:5 a: y", "app.yaml:9:3 b: x"]
 * ```
 */
export function sortLocated(lines: readonly string[]): string[] {
  const position = (line: string): [number, number] => {
    const match = /^\S*?:(\d+):(\d+) /.exec(line);
    return match ? [Number(match[1]), Number(match[2])] : [Infinity, Infinity];
  };
  const keyed = [...new Set(lines)].map((line) => ({ line, at: position(line) }));
  keyed.sort((a, b) => a.at[0] - b.at[0] || a.at[1] - b.at[1]);
  return keyed.map((entry) => entry.line);
}
