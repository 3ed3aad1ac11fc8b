/**
 * Drives a replay: every selected handler's journal, merged into one order (see record-merge.ts), fed
 * record by record to its {@link ReplayedHandler} on this one thread, paced by recorded time when asked,
 * and stopped before the first record later than `until`.
 *
 * One thread on purpose: a replay must give the same output every time, and one thread running records
 * in one fixed order is the simplest thing that does. The cost is speed across handlers that ran on
 * several agents live; a replay at `max` speed is still bounded by the handlers' own work only.
 *
 * @module
 */
import type { JournalEntry } from "../journal/journal-entry.ts";
import { mergeByRecordedTime, type RecordSource } from "./record-merge.ts";
import type { ReplayedCounts, ReplayedHandler } from "./replayed-handler.ts";

/** How fast records are fed: `max` as fast as possible, or N× the recorded pace (1 = realtime). */
export type ReplaySpeed = "max" | number;

export interface ReplayDriveOptions {
  speed: ReplaySpeed;
  /** Wall-clock epoch ms: the replay stops before the first record later than this. */
  until?: number;
  /** Called after each record with how many were replayed so far. */
  onRecord?: (replayed: number) => void;
  /** Between records: lets the event loop run (sinks on this thread write meanwhile). */
  yieldEvery?: number;
}

/** What a replay did, for its summary. */
export interface ReplayResult {
  handlers: Record<string, ReplayedCounts & { startedWithoutRecord: boolean }>;
  records: number;
  /** The first and last recorded times replayed (epoch ms), if any record was. */
  span?: { from: number; to: number };
  /** Whether `until` stopped the replay before the journal's end. */
  stoppedByUntil: boolean;
  durationMs: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * @example
 * ```ts
 * const result = await driveReplay(
 *   [{ name: "pnl", records: readJournal(dir, "pnl") }],
 *   new Map([["pnl", replayedPnl]]),
 *   { speed: "max" },
 * );
 * result.handlers.pnl.events; // events replayed
 * ```
 */
export async function driveReplay(journals: RecordSource<JournalEntry>[], handlers: Map<string, ReplayedHandler>, options: ReplayDriveOptions): Promise<ReplayResult> {
  const began = performance.now();
  // A turn of the event loop every 1024 records lets the sinks on this thread write (and a progress bar
  // redraw); a turn is a macrotask, too dear for every record. bench/replay.ts measures the whole.
  const yieldEvery = options.yieldEvery ?? 1024;
  let records = 0;
  let first: number | undefined;
  let last: number | undefined;
  let stoppedByUntil = false;
  for (const { source, record } of mergeByRecordedTime(journals)) {
    if (options.until !== undefined && record.epochMillis > options.until) {
      stoppedByUntil = true;
      break;
    }
    const from = first ??= record.epochMillis;
    last = record.epochMillis;
    if (options.speed !== "max") {
      // Paced by recorded time: record t goes at (t - first) / speed after the start, never earlier.
      const wait = (record.epochMillis - from) / options.speed - (performance.now() - began);
      if (wait > 0) await sleep(wait);
    } else if (records % yieldEvery === yieldEvery - 1) {
      await turn();
    }
    await handlers.get(source)!.replay(record);
    records++;
    options.onRecord?.(records);
  }
  for (const handler of [...handlers.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) await handler.finish();
  const counts = Object.fromEntries([...handlers.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map((h) => [h.name, { ...h.counts, startedWithoutRecord: h.missedStart }]));
  return {
    handlers: counts,
    records,
    span: first === undefined ? undefined : { from: first, to: last! },
    stoppedByUntil,
    durationMs: performance.now() - began,
  };
}
