/**
 * Appends one handler's journal: records are encoded into a buffer and written when the agent goes idle
 * (at most once a millisecond: see src/core/host/agent-journals.ts), when 64 KiB are waiting, and when the
 * handler stops, so a graceful stop loses nothing and a kill loses at most the last millisecond's records
 * (or 64 KiB). A file rolls once it
 * holds `rollBytes`; beyond `retainFiles` files the oldest are deleted. Each run (and each restart of the
 * agent) starts a new file; a torn tail that a crash left in the folder's last file is cut off first,
 * with a warning, so only a current file can end torn.
 *
 * A write that fails (ENOSPC, EIO…) is reported once and ends this handler's journal (the handler runs on):
 * holding ever more records in memory while the disk stays full would end the agent instead.
 *
 * @module
 */
import { closeSync, mkdirSync, openSync, readFileSync, truncateSync, unlinkSync, writeSync } from "node:fs";
import type { Logger } from "../../log/log.ts";
import type { Clock } from "../../time/clock.ts";
import { JournalClock } from "./journal-clock.ts";
import type { EventMeta } from "../handler-api.ts";
import { encodeHeader, JournalRecords } from "./journal-format.ts";
import { handlerJournalDir, journalFilePath, journalFiles } from "./journal-files.ts";
import { wholeRecordsEnd } from "./journal-reader.ts";

/** Records waiting beyond this many bytes are written at once. */
export const JOURNAL_FLUSH_BYTES = 64 * 1024;

/** Where and how one handler's journal is written. */
export interface JournalWriterOptions {
  /** The journal's root folder; this handler's files go in `<dir>/<handler>/`. */
  dir: string;
  handler: string;
  /** The server clock's epoch (wall-clock ms at `clock.nanos() === 0`), kept in every file's header. */
  epochOriginMs: number;
  /** A file holding at least this many bytes is closed and the next record starts a new one. */
  rollBytes: number;
  /** Files kept in the handler's folder (the oldest are deleted); 0 keeps all. */
  retainFiles: number;
  /** The live server clock (the writer's own bookkeeping); records read the handler's {@link JournalWriter.clock}. */
  clock: Clock;
  log: Logger;
  /** Called once when the writer closes. */
  onClose?: () => void;
}

/**
 * @example
 * ```ts
 * const journal = new JournalWriter({ dir: "/data/journal", handler: "pnl", epochOriginMs, rollBytes: 64 << 20, retainFiles: 10, clock, log });
 * journal.start(seed, ctx.config);
 * journal.event(value, meta); // before onEvent(value, meta)
 * if (journal.waitingSince(clock.nanos()) >= 1e6) journal.flush(); // when the agent goes idle
 * journal.close();
 * ```
 */
export class JournalWriter {
  /**
   * The handler's `ctx.clock`: held at each delivery's recorded time while the delivery runs (see
   * {@link JournalClock}), so what the handler reads is what its record says and a replay reads back.
   */
  readonly clock: JournalClock;
  private readonly records = new JournalRecords();
  private readonly folder: string;
  private fd = -1;
  private fileNumber = 0;
  /** Bytes in the current file, written or waiting. */
  private fileBytes = 0;
  /** Server-clock nanos of the oldest record waiting to be written. */
  private oldestWaiting = 0;
  /** No more records: closed, or a write failed. */
  private ended = false;
  private closed = false;

  constructor(private readonly options: JournalWriterOptions) {
    this.clock = new JournalClock(options.clock);
    this.folder = handlerJournalDir(options.dir, options.handler);
  }

  /** The handler started: its `ctx.random()` seed and its configMap. */
  start(seed: number, config: Readonly<Record<string, unknown>>): void {
    const nanos = this.begin();
    if (nanos === undefined) return;
    this.records.start(seed, config, nanos, this.clock.toEpochMillis(nanos));
    this.written();
  }

  /** `onEvent(value, meta)` is about to be called. */
  event(value: unknown, meta: EventMeta): void {
    const nanos = this.begin();
    if (nanos === undefined) return;
    this.records.event(meta.feed, meta.sequenceNumber, meta.publishedNanos, meta.publishedAt, value, nanos, this.clock.toEpochMillis(nanos));
    this.written();
  }

  /** The handler's timer with this ordinal fired. */
  timer(ordinal: number): void {
    const nanos = this.begin();
    if (nanos === undefined) return;
    this.records.timer(ordinal, nanos, this.clock.toEpochMillis(nanos));
    this.written();
  }

  /** A live config update was applied: the whole new configMap. */
  config(config: Readonly<Record<string, unknown>>): void {
    const nanos = this.begin();
    if (nanos === undefined) return;
    this.records.config(config, nanos, this.clock.toEpochMillis(nanos));
    this.written();
  }

  /** Nanoseconds the oldest waiting record has waited at server-clock time `nowNanos`; -1 if none waits. */
  waitingSince(nowNanos: number): number {
    return this.records.length === 0 || this.fd < 0 ? -1 : nowNanos - this.oldestWaiting;
  }

  /** Writes the waiting records (one `write()`). */
  flush(): void {
    const records = this.records;
    if (records.length === 0 || this.fd < 0) return;
    const length = records.length;
    records.clear();
    let written = 0;
    try {
      // A write may take only part of the buffer (a disk filling up): write the rest.
      while (written < length) written += writeSync(this.fd, records.bytes, written, length - written);
      this.fileBytes += length;
    } catch (error) {
      this.end(`writing ${this.currentFile()} failed after ${written} of ${length} bytes`, error);
    }
  }

  /** Writes what waits and closes the file; later records are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.ended = true;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.options.onClose?.();
  }

  /** Whether a record may be added now: opens the first file, or the next one once this one is full. */
  private room(): boolean {
    if (this.ended) return false;
    if (this.fd >= 0 && this.fileBytes + this.records.length < this.options.rollBytes) return true;
    try {
      this.openNext();
    } catch (error) {
      this.end(`cannot open journal file ${journalFilePath(this.folder, this.fileNumber + 1)}`, error);
      return false;
    }
    return true;
  }

  /**
   * The clock reading of a new record (its `epochMillis` is `toEpochMillis` of it: one read, and a read
   * costs 50-150 ns here), or undefined if no record may be added (closed, or a write failed).
   */
  private begin(): number | undefined {
    if (!this.room()) return undefined;
    const nanos = this.clock.nanos();
    // Bookkeeping on the live clock: a record's own time may be data (a replay-record feed's).
    if (this.records.length === 0) this.oldestWaiting = this.options.clock.nanos();
    return nanos;
  }

  private written(): void {
    if (this.records.length >= JOURNAL_FLUSH_BYTES) this.flush();
  }

  private openNext(): void {
    if (this.fd >= 0) {
      this.flush();
      closeSync(this.fd);
      this.fd = -1;
    } else {
      mkdirSync(this.folder, { recursive: true });
      const files = journalFiles(this.folder);
      const last = files.at(-1);
      if (last) this.repairTornTail(last.path);
      this.fileNumber = last?.number ?? 0;
    }
    this.fileNumber++;
    const path = journalFilePath(this.folder, this.fileNumber);
    this.fd = openSync(path, "wx");
    const header = encodeHeader(this.options.handler, this.options.epochOriginMs);
    writeSync(this.fd, header);
    this.fileBytes = header.length;
    this.prune();
  }

  private currentFile(): string {
    return journalFilePath(this.folder, this.fileNumber);
  }

  /** A crash during an earlier run's write can leave its last file ending inside a record: cut it off. */
  private repairTornTail(path: string): void {
    const bytes = readFileSync(path);
    const keep = wholeRecordsEnd(path, bytes);
    if (keep === bytes.length) return;
    truncateSync(path, keep);
    this.options.log.warn("journal file ended inside a record (a crash during a write?): cut the torn tail back to the last whole record", {
      path,
      removedBytes: bytes.length - keep,
      keptBytes: keep,
    });
  }

  /** Deletes the oldest files beyond `retainFiles`. */
  private prune(): void {
    const retain = this.options.retainFiles;
    if (retain === 0) return;
    const files = journalFiles(this.folder);
    for (const file of files.slice(0, Math.max(0, files.length - retain))) unlinkSync(file.path);
  }

  private end(what: string, error: unknown): void {
    this.ended = true;
    this.records.clear();
    this.options.log.error(`${what}: this handler's journal ends here (the handler runs on)`, { error: error instanceof Error ? error.message : String(error) });
  }
}
