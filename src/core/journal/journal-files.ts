/**
 * Where journal files live: `<dir>/<handler>/<NNNNNNNNNN>.journal`, one folder per handler, numbered in
 * the order they were written.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

const FILE_NAME = /^(\d{10})\.journal$/;

/**
 * The folder of `handler`'s journal files.
 *
 * @example
 * ```ts
 * handlerJournalDir("/data/journal", "pnl"); // "/data/journal/pnl"
 * ```
 */
export function handlerJournalDir(dir: string, handler: string): string {
  return join(dir, handler);
}

/**
 * The path of journal file number `number` in `folder`.
 *
 * @example
 * ```ts
 * journalFilePath("/data/journal/pnl", 7); // "/data/journal/pnl/0000000007.journal"
 * ```
 */
export function journalFilePath(folder: string, number: number): string {
  return join(folder, `${String(number).padStart(10, "0")}.journal`);
}

/**
 * The journal files in `folder`, oldest first, with their numbers; [] if there is no such folder.
 *
 * @example
 * ```ts
 * journalFiles("/data/journal/pnl"); // [{ number: 1, path: "/data/journal/pnl/0000000001.journal" }, …]
 * ```
 */
export function journalFiles(folder: string): { number: number; path: string }[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw error;
  }
  return names.flatMap((name) => {
    const match = FILE_NAME.exec(name);
    return match ? [{ number: Number(match[1]), path: join(folder, name) }] : [];
  }).sort((a, b) => a.number - b.number);
}
