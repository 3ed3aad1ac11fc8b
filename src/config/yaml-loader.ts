/**
 * Reads a YAML configuration: parses it (keeping positions, so every problem can name its file, line and
 * column), replaces `${VAR}`, `${VAR:-default}` and `${VAR-default}` in string values from the
 * environment as a shell does (`$$` is a literal `$`), and returns the configuration with a locator for
 * the validator.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import process from "node:process";
import { isMap, isNode, isPair, isScalar, LineCounter, parse, parseDocument, visit, type Document } from "yaml";
import { ConfigError } from "./config-error.ts";
import { type ConfigPath, type ConfigProblem, formatProblems, type Locator } from "./problems.ts";
import { yamlNestingExcess } from "./yaml-nesting.ts";

/**
 * Most alias expansions one document may make (the `yaml` package's `maxAliasCount`, stated here so the
 * bound is ours): a "billion laughs" file fails with a message instead of exhausting memory.
 */
export const MAX_YAML_ALIAS_COUNT = 100;

/** A configuration read from YAML, ready for `buildPlan`. */
export interface LoadedConfig {
  config: unknown;
  /** Directory relative paths in the configuration are resolved against (the file's own). */
  baseDir: string;
  locate: Locator;
  /** The name used in messages. */
  source: string;
  /** The file it was read from (absent for YAML text): a reload reads it again. */
  path?: string;
}

/** `$$`, or `${NAME}` with an optional `:-default` (unset or empty) or `-default` (unset only). */
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}/g;
const WHOLE_VARIABLE = /^\$\{[^}]+\}$/;

interface Interpolation {
  env: Record<string, string | undefined>;
  document: Document;
  problems: ConfigProblem[];
}

/**
 * Replaces environment variables in every string value (not keys); reports the unset ones. As in the
 * shell, `${VAR:-default}` uses the default when VAR is unset or empty, `${VAR-default}` only when it is
 * unset. An unquoted value that is one variable takes the type its text would have had in YAML
 * (`port: ${PORT}` is a number); quote it to keep a string.
 */
function interpolate(value: unknown, path: ConfigPath, context: Interpolation): unknown {
  if (typeof value === "string") {
    const replaced = value.replace(VARIABLE, (match, name: string | undefined, colon: string | undefined, fallback: string | undefined) => {
      if (match === "$$") return "$";
      const found = context.env[name!];
      if (found !== undefined && !(found === "" && colon === ":")) return found;
      if (fallback !== undefined) return fallback;
      context.problems.push({ path, message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)` });
      return match;
    });
    if (replaced === value || !WHOLE_VARIABLE.test(value)) return replaced;
    const node = context.document.getIn(path, true);
    if (!isScalar(node) || node.type !== "PLAIN") return replaced;
    const typed = parse(replaced);
    return typeof typed === "number" || typeof typed === "boolean" ? typed : replaced;
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, [...path, index], context));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, [...path, key], context)]));
  }
  return value;
}

/** Drops top-level `x-…` keys: a place for YAML anchors shared by several entries (as in Compose files). */
function withoutExtensions(data: unknown): unknown {
  if (data === null || typeof data !== "object" || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !key.startsWith("x-")));
}

/** Finds the position of a path: its value (or its key), else its closest existing parent. */
function locator(document: Document, lines: LineCounter, source: string): Locator {
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  return (path, atKey = false) => {
    for (let length = path.length; length >= 0; length--) {
      const prefix = path.slice(0, length);
      const node = length > 0 ? document.getIn(prefix, true) : document.contents;
      if (!atKey && isNode(node) && node.range) return at(node.range[0]);
      const parent = length > 0 ? document.getIn(path.slice(0, length - 1), true) : undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isPair(item) && isNode(item.key) && (item.key as { value?: unknown }).value === path[length - 1]);
        if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
      }
      if (isNode(node) && node.range) return at(node.range[0]);
      atKey = false;
    }
    return undefined;
  };
}

/**
 * Parses YAML text. Throws {@link ConfigError} for syntax errors and unset variables, each located.
 *
 * @example
 * ```ts
 * const loaded = parseYamlConfig("eventFeeds: []\n", "app.yaml", "/srv/app");
 * buildPlan(loaded.config, { baseDir: loaded.baseDir, locate: loaded.locate });
 * ```
 */
export function parseYamlConfig(text: string, source: string, baseDir: string, env: Record<string, string | undefined> = process.env): LoadedConfig {
  const excess = yamlNestingExcess(text);
  if (excess) {
    const before = text.slice(0, excess.offset);
    const line = before.split("\n").length;
    throw new ConfigError([`${source}:${line}:${excess.offset - before.lastIndexOf("\n")} YAML: ${excess.message}`]);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false });
  const syntax = document.errors.map((error) => ({ offset: error.pos[0], message: error.message.split("\n")[0] }));
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) === undefined) syntax.push({ offset: alias.range?.[0] ?? 0, message: `unknown anchor *${alias.source} (define it with &${alias.source} before use)` });
    },
  });
  if (syntax.length > 0) {
    throw new ConfigError(syntax.map(({ offset, message }) => {
      const { line, col } = lines.linePos(offset);
      return `${source}:${line}:${col} YAML syntax: ${message}`;
    }));
  }
  const locate = locator(document, lines, source);
  const problems: ConfigProblem[] = [];
  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (error) {
    // Alias and merge-key mistakes surface only when the document is resolved.
    throw new ConfigError([`${source}: YAML: ${(error as Error).message}`]);
  }
  const config = interpolate(withoutExtensions(data ?? {}), [], { env, document, problems });
  if (problems.length > 0) throw new ConfigError(formatProblems(problems, locate));
  return { config, baseDir, locate, source };
}

/** Reads and parses a YAML configuration file; relative paths in it resolve against its folder. */
export function loadYamlConfig(path: string, env?: Record<string, string | undefined>): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([`${path}: cannot read the configuration file (${(error as { code?: string }).code ?? (error as Error).message})`]);
  }
  return { ...parseYamlConfig(text, basename(path), dirname(resolve(path)), env), path: resolve(path) };
}
