/**
 * `type: file`: tails a text file on its agent, one event per line (see {@link LineSplitter} for what a
 * line is). Built on the same {@link FeedPlugin} interface as any plugin feed.
 *
 * Read strategies:
 * - `COMMITTED` (default; `COMMITED` accepted): resume from `<filename>.readPointer`, else from the
 *   start; tail. The pointer advances only past lines that every subscribing agent has consumed (their
 *   handlers returned) and whose sink outputs are written (`durableSequence`, see `DurableAcks`), and is
 *   rewritten atomically at most every 20 ms while it advances and at tear-down; the feed never blocks on
 *   a full ring, so it keeps committing while subscribers work. A crash therefore loses neither a line
 *   nor its output; it delivers again the lines after the pointer that were already handled (their
 *   outputs written in the last ~25 ms, or not written yet), and says at restart how many it knows of.
 * - `EARLIEST`: from the start, then tail. No pointer.
 * - `LATEST`: from the end as the feed starts, then every line appended afterwards. A line being written
 *   at that moment (no terminator yet) is skipped whole once it completes; the lines after it are
 *   delivered. A file that does not exist yet is read from its start once it appears.
 * - `ONCE_EARLIEST`: the content present when the end is first reached, once (a final line without a
 *   terminator included); then the feed is complete.
 * - `ONCE_LATEST`: only the last line present when the feed starts (the most recent record: e.g. the
 *   latest snapshot of a state file), once; then the feed is complete.
 *
 * COMMITTED takes an exclusive lock on the pointer (see {@link PointerLock}): a second server on the same
 * file fails to boot instead of sharing the position. The feed on a restarted agent takes back the lock
 * its dead predecessor left, and resumes from the pointer like a server restarting after a crash.
 *
 * A missing file is waited for (checked every 100 ms, shown in the feed's status, logged once when the
 * wait starts and once when the file appears); an unreadable one is reported with its path and retried
 * every second. A file replaced (rotation: another device/inode at the path) is read from the start
 * after the rest of the old one; a file truncated or rewritten in place (it shrank, or its first bytes
 * changed: checked on every read, so a refill that outgrew the old position is caught before any of it
 * is delivered) is read from the start at once. Both are logged.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import type { EventOrigin, FeedContext, FeedPlugin, FeedStatus, PublishOptions } from "../plugin-api.ts";
import { LineSplitter } from "./line-splitter.ts";
import { FileFingerprint } from "./file-fingerprint.ts";
import { type LockClaim, PointerLock, PointerLockedError } from "./pointer-lock.ts";
import { ReadPointer, type ReadPosition } from "./read-pointer.ts";

type Strategy = "COMMITTED" | "EARLIEST" | "LATEST" | "ONCE_EARLIEST" | "ONCE_LATEST";

const READ_CHUNK = 64 * 1024;
const MISSING_CHECK_MS = 100;
const UNREADABLE_RETRY_MS = 1000;
const ROTATION_CHECK_MS = 250;
const POINTER_WRITE_MS = 20;
/** Longest a stopping feed waits for the last acknowledgements before it saves its pointer. */
const DURABLE_WAIT_MS = 2_000;
/** Handler agents acknowledge every few milliseconds while they run: this long without progress, none will come. */
const DURABLE_STALL_MS = 100;
const NO_WAIT: PublishOptions = { wait: false };
const LF = 10;
const CR = 13;

/**
 * Lines read but not yet published (a ring or the pre-start cache was full), as parallel arrays (no object
 * per line). A line is kept as a byte range of its source: the feed's read block, which is not read into
 * again before every held line is out, or a copy (a line the splitter assembled in its own buffer). `next`
 * is the first one still waiting.
 */
class PendingLines {
  sources: Uint8Array[] = [];
  froms: number[] = [];
  tos: number[] = [];
  lines: number[] = [];
  starts: number[] = [];
  ends: number[] = [];
  next = 0;
  get size(): number {
    return this.sources.length - this.next;
  }
  add(source: Uint8Array, from: number, to: number, line: number, start: number, end: number): void {
    this.sources.push(source);
    this.froms.push(from);
    this.tos.push(to);
    this.lines.push(line);
    this.starts.push(start);
    this.ends.push(end);
  }
  clear(): void {
    this.sources.length = this.froms.length = this.tos.length = this.lines.length = this.starts.length = this.ends.length = 0;
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
  /** The end offset of the last entry at or before `sequence` (without dropping anything), or -1. */
  endUpTo(sequence: number): number {
    let low = this.head;
    let high = this.sequences.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      if (this.sequences[middle] <= sequence) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found < 0 ? -1 : this.ends[found];
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
 * const feed = new FileFeed({ server: boot.serverId, replacesDeadInstance: false });
 * ```
 */
export class FileFeed implements FeedPlugin {
  private ctx!: FeedContext;
  private filename = "";
  private strategy: Strategy = "COMMITTED";
  private pollMs = 10;
  private pointer: ReadPointer | undefined;
  private lock: PointerLock | undefined;
  private fd = -1;
  private inode = 0;
  private device = 0;
  /** The first bytes of the open file: tells a file rewritten in place from the one being read. */
  private readonly fingerprint = new FileFingerprint();
  private splitter = new LineSplitter(0);
  private readonly buffer = Buffer.alloc(READ_CHUNK);
  /** Lines read but not yet published (rings or the pre-start cache were full). */
  private readonly pending = new PendingLines();
  /** Reused for every line: an origin is valid only during the publish call it is passed to. */
  private readonly origin: EventOrigin = {};
  /** Publishes each line at once while nothing waits before it; holds it (and all after it) otherwise. */
  private readonly onLine = (bytes: Buffer, from: number, to: number, start: number, end: number, lineNumber: number) => {
    if (start < this.skipBefore) return;
    const line = this.readFromStart ? lineNumber : 0;
    if (this.pending.size === 0 && this.publishLine(bytes, from, to, line, start, end)) return;
    if (bytes === this.buffer) this.pending.add(bytes, from, to, line, start, end);
    else this.pending.add(new Uint8Array(bytes.subarray(from, to)), 0, to - from, line, start, end); // a copy: the splitter reuses its buffer
  };
  /** The read began at the file's start, so the splitter's line numbers are the file's (else unknown: 0). */
  private readFromStart = true;
  /** LATEST: a line starting before this offset was being written as the feed started; it is skipped. */
  private skipBefore = 0;
  /** The wait for a missing file was logged; its appearance will be too. */
  private missingReported = false;
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

  /** @param pointerOwner who claims the read pointer lock (COMMITTED), less the feed's name */
  constructor(private readonly pointerOwner: Omit<LockClaim, "feed">) {}

  init(ctx: FeedContext): void {
    this.ctx = ctx;
    this.filename = ctx.config.filename as string;
    const strategy = ctx.config.readStrategy as string;
    this.strategy = (strategy === "COMMITED" ? "COMMITTED" : strategy) as Strategy;
    this.pollMs = (ctx.config.pollMillis as number | undefined) ?? 10;
    if (this.strategy === "COMMITTED") {
      this.pointer = new ReadPointer(this.filename);
      this.lock = this.lockPointer(`${this.pointer.path}.lock`);
    }
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
      if (!this.fingerprint.stillMatches(this.fd, this.splitter.nextOffset + bytes)) {
        this.readAgainFromStart("file truncated or rewritten in place (its first bytes changed)");
        return 1;
      }
      this.splitter.push(this.buffer, bytes, this.onLine);
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

  async tearDown(): Promise<void> {
    try {
      // Every subscriber has drained and every sink flushed by now; the handlers' agents acknowledge
      // that within a few duty cycles. A pointer that stays behind only means lines delivered again.
      if (this.pointer) await this.durableCaughtUp();
      this.commit(performance.now(), true);
    } finally {
      this.lock?.release();
    }
  }

  /**
   * Waits until every consumed line's outputs are acknowledged as written, for at most
   * {@link DURABLE_WAIT_MS}, and no longer than {@link DURABLE_STALL_MS} without progress (a subscriber
   * that died or was given up on acknowledges nothing more).
   */
  private async durableCaughtUp(): Promise<void> {
    const started = performance.now();
    let durable = this.ctx.durableSequence();
    let movedAt = started;
    while (durable < this.ctx.deliveredSequence()) {
      const now = performance.now();
      if (now - started > DURABLE_WAIT_MS || now - movedAt > DURABLE_STALL_MS) return;
      await new Promise((resolve) => setTimeout(resolve, 2));
      const next = this.ctx.durableSequence();
      if (next !== durable) {
        durable = next;
        movedAt = performance.now();
      }
    }
  }

  /**
   * COMMITTED: claims the pointer for this server (taking back its own lock after an agent restart); a
   * live owner elsewhere fails the boot, naming the file and the owner.
   */
  private lockPointer(lockPath: string): PointerLock {
    let lock: PointerLock;
    try {
      lock = PointerLock.acquire(lockPath, { ...this.pointerOwner, feed: this.ctx.feedName });
    } catch (error) {
      if (error instanceof PointerLockedError) throw new Error(`cannot read ${this.filename} with readStrategy COMMITTED: ${error.message}`);
      throw error;
    }
    const fields = { feed: this.ctx.feedName, lock: lockPath, pid: lock.tookOver?.owner.pid };
    if (lock.tookOver?.reason === "stale") this.ctx.log.warn("took over a stale read pointer lock: its owner no longer runs", fields);
    if (lock.tookOver?.reason === "restart") this.ctx.log.info("took back the read pointer lock this feed held before its agent died", fields);
    return lock;
  }

  /** Publishes waiting lines in order; false if rings or the cache are full (the rest stay waiting). */
  private drainPending(): boolean {
    const pending = this.pending;
    for (; pending.next < pending.sources.length; pending.next++) {
      const i = pending.next;
      if (!this.publishLine(pending.sources[i], pending.froms[i], pending.tos[i], pending.lines[i], pending.starts[i], pending.ends[i])) return false;
    }
    pending.clear();
    return true;
  }

  /** Offers one line (its bytes `bytes[from, to)`, file offsets `start`..`end`); false if a ring or the cache is full. */
  private publishLine(bytes: Uint8Array, from: number, to: number, line: number, start: number, end: number): boolean {
    const origin = this.origin;
    origin.line = line || undefined; // 0: unknown (read not begun at the file's start)
    origin.offset = start;
    origin.raw = undefined;
    // Never wait for ring space here: the duty cycle must come back to commit the read pointer, so a
    // slow subscriber does not widen what a crash can deliver twice.
    if (!this.ctx.publishLine(bytes, from, to, origin, NO_WAIT)) return false;
    if (this.pointer) this.commits.add(this.ctx.lastSequence(), end);
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
        if (!this.missingReported) this.ctx.log.info("waiting for the file to appear", { feed: this.ctx.feedName, path: this.filename });
        this.missingReported = true;
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
    const appeared = this.missingReported;
    this.missingReported = false;
    this.inode = Number(stat.ino);
    this.device = Number(stat.dev);
    this.detail = `reading ${this.filename}`;
    const fields = { feed: this.ctx.feedName, path: this.filename, readStrategy: this.strategy };
    if (this.strategy === "ONCE_LATEST") {
      this.ctx.log.info(appeared ? "file appeared; reading its last line" : "reading the last line of the file", fields);
      this.readLastLine(stat.size);
      return false;
    }
    this.fingerprint.capture(this.fd, stat.size);
    let start = 0;
    let skipBefore = 0;
    if (!fromStart && this.strategy === "COMMITTED") start = this.resumeOffset(stat.size);
    if (!fromStart && this.strategy === "LATEST" && firstAttempt) [start, skipBefore] = [this.lastLineStart(stat.size), stat.size];
    this.ctx.log.info(appeared ? "file appeared; reading it" : "reading file", { ...fields, offset: Math.max(start, skipBefore) });
    this.startAt(start, skipBefore);
    return true;
  }

  /** Reads on from `offset`; lines starting before `skipBefore` are dropped. */
  private startAt(offset: number, skipBefore = 0): void {
    this.splitter = new LineSplitter(offset, offset > 0 && this.byteAt(offset - 1) === CR);
    this.readFromStart = offset === 0;
    this.skipBefore = skipBefore;
    this.committedOffset = offset;
    this.commits.clear();
    this.nextReadAt = 0;
    this.nextCheckAt = performance.now() + ROTATION_CHECK_MS;
  }

  /** COMMITTED: the stored offset if the pointer is usable and was written for this very file, else 0 (and why, logged). */
  private resumeOffset(size: number): number {
    const pointer = this.pointer!;
    const stored = pointer.read();
    if (stored.kind === "absent") return 0;
    const fields = { feed: this.ctx.feedName, path: this.filename, pointer: pointer.path };
    if (stored.kind === "unusable") {
      this.ctx.log.warn("read pointer unusable; reading the file from the beginning", { ...fields, found: stored.found });
      return 0;
    }
    const difference = this.differenceFrom(stored.position, size);
    if (difference) {
      this.ctx.log.warn("not the file the read pointer was written for; reading it from the beginning as a new file", { ...fields, difference });
      return 0;
    }
    if (stored.position.fingerprint === undefined) {
      this.ctx.log.info("read pointer of the older format (inode only) accepted; it is rewritten with the file's fingerprint", fields);
    }
    this.writtenOffset = stored.position.offset;
    if (stored.position.handledOffset !== undefined) this.reportRedelivery(stored.position.offset, stored.position.handledOffset);
    return stored.position.offset;
  }

  /** The lines after the pointer that were handled before the last stop (a crash): they come again; say how many. */
  private reportRedelivery(offset: number, handledOffset: number): void {
    let lines = 0;
    for (let at = offset; at < handledOffset;) {
      const length = readSync(this.fd, this.buffer, 0, Math.min(READ_CHUNK, handledOffset - at), at);
      if (length <= 0) break;
      for (let i = 0; i < length; i++) if (this.buffer[i] === LF) lines++;
      at += length;
    }
    this.ctx.log.warn("resuming at the read pointer: lines handled before the last stop, whose outputs were not known to be written, are delivered again", {
      feed: this.ctx.feedName,
      path: this.filename,
      offset,
      redeliveredLines: lines,
      redeliveredBytes: handledOffset - offset,
    });
  }

  /** How the open file differs from the one a pointer was written for; undefined if it is the same. */
  private differenceFrom(position: ReadPosition, size: number): string | undefined {
    if (position.device !== undefined && position.device !== this.device) return `device ${this.device}, the pointer's ${position.device}`;
    if (position.inode !== this.inode) return `inode ${this.inode}, the pointer's ${position.inode}`;
    if (position.offset > size) return `size ${size}, shorter than the pointer's offset ${position.offset}`;
    if (position.fingerprint !== undefined && FileFingerprint.hashOf(this.fd, position.fingerprintLength!) !== position.fingerprint) {
      return `its first ${position.fingerprintLength} bytes differ (same inode, reused)`;
    }
    return undefined;
  }

  /** Offset of the line that ends at `end` or is still unfinished there: just after the last terminator before it (0 if none). */
  private lastLineStart(end: number): number {
    let start = end;
    while (start > 0) {
      const from = Math.max(0, start - READ_CHUNK);
      const length = readSync(this.fd, this.buffer, 0, start - from, from);
      for (let i = length - 1; i >= 0; i--) {
        if (this.buffer[i] === LF || this.buffer[i] === CR) return from + i + 1;
      }
      start = from;
    }
    return 0;
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
    const start = this.lastLineStart(end);
    if (end > start) {
      const bytes = Buffer.alloc(end - start);
      readSync(this.fd, bytes, 0, end - start, start);
      this.pending.add(bytes, 0, bytes.length, 0, start, end);
      this.drainPending();
    }
    this.finish();
  }

  /** Rotation (another file at the path) or truncation: start over from the beginning of what is there now. */
  private checkReplaced(): void {
    let size: number;
    let inode: number;
    let device: number;
    try {
      const stat = statSync(this.filename);
      size = stat.size;
      inode = Number(stat.ino);
      device = Number(stat.dev);
    } catch {
      this.ctx.log.warn("file removed; waiting for it to reappear", { feed: this.ctx.feedName, path: this.filename });
      this.missingReported = true;
      this.closeFile();
      this.nextCheckAt = performance.now() + MISSING_CHECK_MS;
      return;
    }
    if (inode !== this.inode || device !== this.device) {
      this.ctx.log.warn("file rotated (a new file at the path); reading the new one from the start", { feed: this.ctx.feedName, path: this.filename });
      this.closeFile();
      this.open(true);
      return;
    }
    if (size < this.splitter.nextOffset) this.readAgainFromStart("file truncated");
    else if (!this.fingerprint.stillMatches(this.fd, this.splitter.nextOffset)) this.readAgainFromStart("file rewritten in place (its first bytes changed)");
  }

  /** The open file is no longer what was read: drop the unfinished line and read it again from its start. */
  private readAgainFromStart(what: string): void {
    this.ctx.log.warn(`${what}; reading it from the start`, { feed: this.ctx.feedName, path: this.filename, offset: this.splitter.nextOffset });
    this.fingerprint.capture(this.fd, fstatSync(this.fd).size);
    this.startAt(0);
  }

  /** COMMITTED: move the pointer past every line all subscribers consumed; write it (throttled, or now). */
  private commit(now: number, force: boolean): void {
    if (!this.pointer || this.inode === 0) return;
    const end = this.commits.takeUpTo(this.ctx.durableSequence());
    if (end >= 0) this.committedOffset = end;
    if (this.committedOffset === this.writtenOffset || (!force && now - this.lastPointerWrite < POINTER_WRITE_MS)) return;
    const fingerprint = this.fingerprint;
    const handled = this.commits.endUpTo(this.ctx.deliveredSequence());
    this.pointer.write({
      offset: this.committedOffset,
      inode: this.inode,
      device: this.device,
      fingerprint: fingerprint.hash(),
      fingerprintLength: fingerprint.length,
      ...(handled > this.committedOffset ? { handledOffset: handled } : {}),
    });
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
