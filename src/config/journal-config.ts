/**
 * The `journal:` key: its schema, the checks that need the rest of the configuration (handler names),
 * and its plan (the folder resolved against the configuration's directory).
 *
 * @module
 */
import * as v from "valibot";
import { resolve } from "node:path";
import type { JournalPlan } from "../plan/types.ts";
import type { ConfigProblem } from "./problems.ts";
import { nonEmptyName } from "./schema-parts.ts";

/** Default `rollBytes`: 64 MiB. */
export const DEFAULT_JOURNAL_ROLL_BYTES = 64 * 1024 * 1024;
/** Smallest `rollBytes`: a file smaller than a few records would roll on almost every record. */
export const MIN_JOURNAL_ROLL_BYTES = 4096;

/** `journal: {dir, handlers, rollBytes, retainFiles}`. */
export const journalSchema = v.strictObject({
  /** Relative to the configuration's directory. */
  dir: v.optional(nonEmptyName, "./journal"),
  handlers: v.optional(v.union([
    v.literal("all"),
    v.array(nonEmptyName),
  ], 'expected "all" or a list of handler names'), "all"),
  rollBytes: v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(MIN_JOURNAL_ROLL_BYTES, `must be ≥ ${MIN_JOURNAL_ROLL_BYTES}`), v.maxValue(2 ** 40, "must be ≤ 1099511627776 (1 TiB)")), DEFAULT_JOURNAL_ROLL_BYTES),
  retainFiles: v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(0, "must be ≥ 0 (0 keeps all)")), 10),
});

type JournalConfig = v.InferOutput<typeof journalSchema>;

/**
 * Each name in `journal.handlers` must be a configured handler; a journaled handler's name becomes a
 * folder, so it may not contain a path separator or be `.` / `..`.
 *
 * @example
 * ```ts
 * journalProblems({ dir: "./j", handlers: ["pnl", "nope"], rollBytes: 65536, retainFiles: 10 }, ["pnl"]);
 * // [{ path: ["journal", "handlers", 1], message: '"nope" names no handler (handlers: pnl)' }]
 * ```
 */
export function journalProblems(journal: JournalConfig | undefined, handlerNames: readonly string[]): ConfigProblem[] {
  if (journal === undefined) return [];
  const problems: ConfigProblem[] = [];
  if (journal.handlers !== "all") {
    journal.handlers.forEach((name, index) => {
      if (!handlerNames.includes(name)) problems.push({ path: ["journal", "handlers", index], message: `"${name}" names no handler (handlers: ${handlerNames.join(", ") || "none"})` });
    });
  }
  const journaled = journal.handlers === "all" ? handlerNames : journal.handlers;
  for (const name of journaled) {
    if (/[/\\]/.test(name) || name === "." || name === "..") {
      problems.push({ path: ["journal", "handlers"], message: `handler "${name}" cannot be journaled: its name becomes a folder, so it may not contain / or \\ or be . or ..` });
    }
  }
  return problems;
}

/**
 * The journal's plan, `dir` resolved against `baseDir`; undefined without `journal:`.
 *
 * @example
 * ```ts
 * journalPlanOf({ dir: "./journal", handlers: "all", rollBytes: 1 << 26, retainFiles: 10 }, "/srv/app").dir; // "/srv/app/journal"
 * ```
 */
export function journalPlanOf(journal: JournalConfig | undefined, baseDir: string): JournalPlan | undefined {
  return journal && { ...journal, dir: resolve(baseDir, journal.dir) };
}
