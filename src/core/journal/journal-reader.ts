/**
 * Reads a journal back: the handlers it has, and one handler's entries across its files, oldest first.
 *
 * A record whose frame runs past the end of its file, whose length is impossible or whose CRC does not
 * match is a torn or corrupt tail (a crash during a write): reading that file stops there and the place
 * is reported once through `onTornTail`; reading goes on with the next file if there is one. The writer
 * cuts such a tail off when it opens the folder again, so normally only the last file can have one.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import { crc32 } from "./crc32.ts";
import { decodeHeader, decodeRecord, JournalFormatError, MAX_RECORD_BYTES, RECORD_FRAME_BYTES } from "./journal-format.ts";
import type { JournalEntry } from "./journal-entry.ts";
import { handlerJournalDir, journalFiles } from "./journal-files.ts";

/** Where reading stops in a file: its torn or corrupt tail starts at `offset`. */
export type TornTailListener = (file: string, offset: number) => void;

/**
 * The handlers with journal files under `dir`, sorted by name; [] if `dir` does not exist.
 *
 * @example
 * ```ts
 * journaledHandlers("./journal"); // ["pnl", "risk"]
 * ```
 */
export function journaledHandlers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw error;
  }
  return names.filter((name) => journalFiles(handlerJournalDir(dir, name)).length > 0).sort();
}

/**
 * `handler`'s journal entries under `dir`, in the order its agent recorded them (several runs follow one
 * another: each begins with a `start` entry). Without `onTornTail`, a torn tail is reported on stderr.
 * Throws {@link JournalFormatError} for a file that is not a journal or of an unknown format version.
 *
 * @example
 * ```ts
 * for (const entry of readJournal("./journal", "pnl", { onTornTail: (file, offset) => console.warn(file, offset) })) {
 *   if (entry.kind === "timer") console.log("timer", entry.ordinal, "fired at", entry.epochMillis);
 * }
 * ```
 */
export function* readJournal(dir: string, handler: string, options: { onTornTail?: TornTailListener } = {}): Iterable<JournalEntry> {
  const onTornTail = options.onTornTail ?? ((file, offset) => console.warn(`journal ${file}: torn or corrupt tail at byte ${offset} (a crash during a write?); read up to it`));
  for (const { path } of journalFiles(handlerJournalDir(dir, handler))) {
    const bytes = readFileSync(path);
    const torn = yield* readFile(path, bytes);
    if (torn !== undefined) onTornTail(path, torn);
  }
}

/** Yields the entries of one file; returns the offset of its torn tail, if it has one. */
function* readFile(path: string, bytes: Uint8Array): Generator<JournalEntry, number | undefined> {
  const start = headerEnd(path, bytes);
  if (start < 0) return bytes.length === 0 ? undefined : 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = start; at < bytes.length;) {
    const end = recordEnd(bytes, view, at);
    if (end < 0) return at;
    yield decodeRecord(bytes, at + RECORD_FRAME_BYTES, end - at - RECORD_FRAME_BYTES);
    at = end;
  }
  return undefined;
}

/**
 * The length of the whole records at the start of a journal file's `bytes` (header included): where a
 * torn tail starts, or `bytes.length` if there is none; 0 if the header itself is torn.
 *
 * @example
 * ```ts
 * const keep = wholeRecordsEnd(path, readFileSync(path));
 * if (keep < size) truncateSync(path, keep);
 * ```
 */
export function wholeRecordsEnd(path: string, bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = headerEnd(path, bytes);
  if (at < 0) return 0;
  while (at < bytes.length) {
    const end = recordEnd(bytes, view, at);
    if (end < 0) return at;
    at = end;
  }
  return at;
}

/** Where the header ends, or -1 if it is torn; throws for a file that is not a journal this code reads. */
function headerEnd(path: string, bytes: Uint8Array): number {
  try {
    return decodeHeader(bytes)?.length ?? -1;
  } catch (error) {
    if (error instanceof JournalFormatError) throw new JournalFormatError(`${path}: ${error.message}`);
    throw error;
  }
}

/** The end of the whole record framed at `at`, or -1 if it is torn or corrupt. */
function recordEnd(bytes: Uint8Array, view: DataView, at: number): number {
  if (at + RECORD_FRAME_BYTES > bytes.length) return -1;
  const length = view.getUint32(at, true);
  const payload = at + RECORD_FRAME_BYTES;
  if (length === 0 || length > MAX_RECORD_BYTES || payload + length > bytes.length) return -1;
  return view.getUint32(at + 4, true) === crc32(bytes, payload, payload + length) ? payload + length : -1;
}
