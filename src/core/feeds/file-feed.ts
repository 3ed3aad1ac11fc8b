/**
 * `type: file`: tails a text file on its agent, one event per line (see {@link LineSplitter} for what a
 * line is). Built on the same {@link FeedPlugin} interface as any plugin feed.
 *
 * Read strategies:
 * - `COMMITTED` (default; `COMMITED` accepted): resume from `<filename>.readPointer`, else from the
 *   start; tail. The pointer advances only past lines that every subscribing agent has consumed (their
 *   handlers returned), and is rewritten atomically at most every 20 ms while it advances and at
 *   tear-down; the feed never blocks on a full ring, so it keeps committing while subscribers work. A
 *   crash therefore never loses a line; it can deliver again the lines consumed since the last pointer
 *   write (about 20 ms of consumption), plus lines consumed by some subscribers but not all.
 * - `EARLIEST`: from the start, then tail. No pointer.
 * - `LATEST`: from the end as the feed starts, then every line appended afterwards. A line being written
 *   at that moment (no terminator yet) is skipped whole. A file that does not exist yet is read from its
 *   start once it appears.
 * - `ONCE_EARLIEST`: the content present when the end is first reached, once (a final line without a
 *   terminator included); then the feed is complete.
 * - `ONCE_LATEST`: only the last line present when the feed starts (the most recent record: e.g. the
 *   latest snapshot of a state file), once; then the feed is complete.
 *
 * A missing file is waited for (checked every 100 ms, shown in the feed's status); an unreadable one is
 * reported with its path and retried every second. A file that shrinks (truncation) or is replaced
 * (rotation: another inode at the path) is read from the start again after the rest of the old one, and
 * logged.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import type { EventOrigin, FeedContext, FeedPlugin, FeedStatus } from "../plugin-api.ts";
import { LineSplitter } from "./line-splitter.ts";
import { ReadPointer } from "./read-pointer.ts";

type Strategy = "COMMITTED" | "EARLIEST" | "LATEST" | "ONCE_EARLIEST" | "ONCE_LATEST";

const READ_CHUNK = 64 * 1024;
const MISSING_CHECK_MS = 100;
const UNREADABLE_RETRY_MS = 1000;
const ROTATION_CHECK_MS = 250;
const POINTER_WRITE_MS = 20;
const LF = 10;
const CR = 13;

/**
 * Lines read but not yet published, as parallel arrays (no object per line). `next` is the first one
 * still waiting.
 */
class PendingLines {
  texts: string[] = [];
  lines: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  next = 0;
  get size(): number {
    return this.texts.length - this.next;
  }
  add(text: string, line: number, start: number, end: number): void {
    this.texts.push(text);
    this.lines.push(line);
    this.starts.push(start);
    this.ends.push(end);
  }
  clear(): void {
    this.texts.length = this.lines.length = this.starts.length = this.ends.length = 0;
    this.next = 0;
  }
}

/** Committed positions waiting for their lines to be consumed (COMMITTED only), as parallel arrays. */
class Commits {
  private sequences: number[] = [];
  private ends: number[] = [];
  private head = 0;
  get size(): number {
    return this.sequences.length - this.head;
  }
  add(sequence: number, end: number): void {
    this.sequences.push(sequence);
    this.ends.push(end);
  }
  /** Drops every entry consumed up to `delivered`; returns the end offset of the last one, or -1. */
  takeUpTo(delivered: number): number {
    let end = -1;
    while (this.head < this.sequences.length && this.sequences[this.head] <= delivered) end = this.ends[this.head++];
    if (this.head > 4096 && this.head * 2 > this.sequences.length) {
      this.sequences = this.sequences.slice(this.head);
      this.ends = this.ends.slice(this.head);
      this.head = 0;
    }
    return end;
  }
  clear(): void {
    this.sequences = [];
    this.ends = [];
    this.head = 0;
  }
}

/**
 * @example
 * ```ts
 * // eventFeeds: [{ name: "prices", type: "file", filename: "data-in/prices.jsonl", readStrategy: "EARLIEST", valueMapper: "json" }]
 * ```
 */
export class FileFeed implements FeedPlugin {
  private ctx!: FeedContext;
  private filename = "";
  private strategy: Strategy = "COMMITTED";
  private pollMs = 10;
  private pointer: ReadPointer | undefined;
  private fd = -1;
  private inode = 0;
  private splitter = new LineSplitter(0);
  private readonly buffer = Buffer.alloc(READ_CHUNK);
  /** Lines read but not yet published (rings or the pre-start cache were full). */
  private readonly pending = new PendingLines();
  /** Reused for every line: an origin is valid only during the publish call it is passed to. */
  private readonly origin: EventOrigin = {};
  private readonly onLine = (text: string, start: number, end: number) => this.pending.add(text, ++this.lineNumber, start, end);
  private lineNumber = 0;
  private skipFirstLine = false;
  /** The file was present when the feed first looked (LATEST starts at its end only then). */
  private firstAttempt = true;
  private done = false;
  private nextReadAt = 0;
  private nextCheckAt = 0;
  private detail = "not started";
  private unreadableReported = false;
  /** COMMITTED: the end offset of each accepted line, with the sequence number it was published up to. */
  private readonly commits = new Commits();
  private committedOffset = 0;
  private writtenOffset = -1;
  private lastPointerWrite = 0;

  init(ctx: FeedContext): void {
    this.ctx = ctx;
    this.filename = ctx.config.filename as string;
    const strategy = ctx.config.readStrategy as string;
    this.strategy = (strategy === "COMMITED" ? "COMMITTED" : strategy) as Strategy;
    this.pollMs = (ctx.config.pollMillis as number | undefined) ?? 10;
    if (this.strategy === "COMMITTED") this.pointer = new ReadPointer(this.filename);
    this.detail = `waiting for ${this.filename}`;
  }

  doWork(): number {
    if (this.done) return 0;
    const now = performance.now();
    if (this.pending.size > 0 && !this.drainPending()) {
      this.commit(now, false); // the subscribers are still consuming: keep the pointer moving
      return 0;
    }
    if (this.fd < 0) {
      if (now < this.nextCheckAt || !this.open(false)) return 0;
    }
    if (now < this.nextReadAt) return 0;
    let bytes: number;
    try {
      bytes = readSync(this.fd, this.buffer, 0, READ_CHUNK, this.splitter.nextOffset);
    } catch (error) {
      this.closeFile();
      this.unreadable(now, error as Error, (error as { code?: string }).code);
      return 0;
    }
    if (bytes > 0) {
      this.splitter.push(this.buffer, bytes, this.onLine);
      this.drainPending();
      this.commit(now, false);
      return 1;
    }
    return this.atEnd(now);
  }

  millisToNextDeadline(): number {
    if (this.done) return Infinity;
    if (this.pending.size > 0) return 1; // rings were full: try again soon
    const now = performance.now();
    return Math.max(0, Math.min(this.fd < 0 ? this.nextCheckAt - now : this.nextReadAt - now, this.commits.size > 0 ? POINTER_WRITE_MS : Infinity));
  }

  status(): FeedStatus {
    return { connected: this.fd >= 0 || this.done, detail: this.detail };
  }

  stop(): void {
    this.closeFile();
  }

  tearDown(): void {
    // Every subscriber has drained by now: the pointer can go as far as everything accepted.
    this.commit(performance.now(), true);
  }

  /** Publishes waiting lines in order; false if rings or the cache are full (the rest stay waiting). */
  private drainPending(): boolean {
    const pending = this.pending;
    const origin = this.origin;
    for (; pending.next < pending.texts.length; pending.next++) {
      const i = pending.next;
      if (this.skipFirstLine) {
        this.skipFirstLine = false;
      } else {
        origin.line = pending.lines[i] || undefined; // 0: unknown (ONCE_LATEST reads backwards)
        origin.offset = pending.starts[i];
        origin.raw = pending.texts[i];
        // Never wait for ring space here: the duty cycle must come back to commit the read pointer, so a
        // slow subscriber does not widen what a crash can deliver twice.
        if (!this.ctx.publish(pending.texts[i], origin, { wait: false })) return false;
      }
      if (this.pointer) this.commits.add(this.ctx.lastSequence(), pending.ends[i]);
    }
    pending.clear();
    return true;
  }

  /** End of the file for now: finish a once-strategy, or check for rotation and poll again later. */
  private atEnd(now: number): number {
    if (this.strategy === "ONCE_EARLIEST") {
      this.splitter.end(this.onLine);
      if (!this.drainPending()) return 0; // rings full: finish once everything is out
      this.finish();
      return 1;
    }
    this.nextReadAt = now + this.pollMs;
    this.commit(now, false);
    if (now >= this.nextCheckAt) {
      this.nextCheckAt = now + ROTATION_CHECK_MS;
      this.checkReplaced();
    }
    return 0;
  }

  private finish(): void {
    this.done = true;
    this.detail = `read ${this.filename} once`;
    this.closeFile();
    this.ctx.complete();
  }

  /** Opens the file and positions the reader as the strategy says (or at 0); false while it is missing or unreadable. */
  private open(fromStart: boolean): boolean {
    const now = performance.now();
    const firstAttempt = this.firstAttempt;
    this.firstAttempt = false;
    try {
      this.fd = openSync(this.filename, "r");
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "ENOENT") {
        this.detail = `waiting for ${this.filename}`;
        this.nextCheckAt = now + MISSING_CHECK_MS;
      } else {
        this.unreadable(now, error as Error, code);
      }
      return false;
    }
    const stat = fstatSync(this.fd);
    if (!stat.isFile()) {
      this.closeFile();
      this.unreadable(now, new Error("not a regular file"), "ENOTFILE");
      return false;
    }
    this.unreadableReported = false;
    this.inode = Number(stat.ino);
    this.detail = `reading ${this.filename}`;
    if (this.strategy === "ONCE_LATEST") {
      this.readLastLine(stat.size);
      return false;
    }
    let start = 0;
    if (!fromStart && this.strategy === "COMMITTED") start = this.resumeOffset(stat.size);
    if (!fromStart && this.strategy === "LATEST" && firstAttempt) start = this.latestStart(stat.size);
    this.startAt(start);
    return true;
  }

  private startAt(offset: number): void {
    this.splitter = new LineSplitter(offset, offset > 0 && this.byteAt(offset - 1) === CR);
    this.committedOffset = offset;
    this.commits.clear();
    this.nextReadAt = 0;
    this.nextCheckAt = performance.now() + ROTATION_CHECK_MS;
  }

  private resumeOffset(size: number): number {
    const stored = this.pointer!.read();
    if (!stored) return 0;
    if (stored.inode === this.inode && stored.offset <= size) {
      this.writtenOffset = stored.offset;
      return stored.offset;
    }
    this.ctx.log.warn("file replaced or truncated since its read pointer was written; reading it from the start", {
      feed: this.ctx.feedName,
      path: this.filename,
      pointerOffset: stored.offset,
      size,
    });
    return 0;
  }

  /** LATEST: start at the end, skipping a line still being written there. */
  private latestStart(size: number): number {
    if (size > 0) {
      const last = this.byteAt(size - 1);
      this.skipFirstLine = last !== LF && last !== CR;
    }
    return size;
  }

  /** The file exists but cannot be read: say so (once) with its path, and retry every second. */
  private unreadable(now: number, error: Error, code: string | undefined): void {
    this.detail = `cannot read ${this.filename}: ${code ?? error.message}`;
    this.nextCheckAt = now + UNREADABLE_RETRY_MS;
    if (!this.unreadableReported) {
      this.unreadableReported = true;
      this.ctx.log.error("cannot read file", { feed: this.ctx.feedName, path: this.filename, cause: error.message });
    }
  }

  /** ONCE_LATEST: publish the last line present now, then finish. */
  private readLastLine(size: number): void {
    let end = size;
    while (end > 0 && (this.byteAt(end - 1) === LF || this.byteAt(end - 1) === CR)) end--;
    let start = end;
    while (start > 0) {
      const from = Math.max(0, start - READ_CHUNK);
      const length = readSync(this.fd, this.buffer, 0, start - from, from);
      let found = -1;
      for (let i = length - 1; i >= 0; i--) {
        if (this.buffer[i] === LF || this.buffer[i] === CR) {
          found = from + i;
          break;
        }
      }
      if (found >= 0) {
        start = found + 1;
        break;
      }
      start = from;
    }
    if (end > start) {
      const text = Buffer.alloc(end - start);
      readSync(this.fd, text, 0, end - start, start);
      this.pending.add(text.toString("utf8"), 0, start, end);
      this.drainPending();
    }
    this.finish();
  }

  /** Rotation (another file at the path) or truncation: start over from the beginning of what is there now. */
  private checkReplaced(): void {
    let size: number;
    let inode: number;
    try {
      const stat = statSync(this.filename);
      size = stat.size;
      inode = Number(stat.ino);
    } catch {
      this.ctx.log.warn("file removed; waiting for it to reappear", { feed: this.ctx.feedName, path: this.filename });
      this.closeFile();
      this.nextCheckAt = performance.now() + MISSING_CHECK_MS;
      return;
    }
    if (inode !== this.inode) {
      this.ctx.log.warn("file rotated (a new file at the path); reading the new one from the start", { feed: this.ctx.feedName, path: this.filename });
      this.closeFile();
      this.open(true);
      return;
    }
    if (size < this.splitter.nextOffset) {
      this.ctx.log.warn("file truncated; reading it from the start", { feed: this.ctx.feedName, path: this.filename, size, offset: this.splitter.nextOffset });
      this.startAt(0);
    }
  }

  /** COMMITTED: move the pointer past every line all subscribers consumed; write it (throttled, or now). */
  private commit(now: number, force: boolean): void {
    if (!this.pointer || this.inode === 0) return;
    const end = this.commits.takeUpTo(this.ctx.deliveredSequence());
    if (end >= 0) this.committedOffset = end;
    if (this.committedOffset === this.writtenOffset || (!force && now - this.lastPointerWrite < POINTER_WRITE_MS)) return;
    this.pointer.write({ offset: this.committedOffset, inode: this.inode });
    this.writtenOffset = this.committedOffset;
    this.lastPointerWrite = now;
  }

  private byteAt(offset: number): number {
    const one = Buffer.alloc(1);
    return readSync(this.fd, one, 0, 1, offset) === 1 ? one[0] : -1;
  }

  private closeFile(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
