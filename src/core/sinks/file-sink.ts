/**
 * `type: file`: appends one line per value (strings as they are, other values as JSON, after the sink's
 * value mapper). Lines are buffered and written when the sink's agent goes idle, when 64 KiB are waiting,
 * and on stop, so a graceful stop loses nothing and `tail -f` sees output promptly. With `fsync: true`
 * every write is followed by an fsync. Parent directories are created. Each flush is one `write()` of
 * whole lines; a file found ending inside a line at start (a crash mid-write) has that torn tail cut off,
 * with a warning naming the file and the bytes removed.
 *
 * A write that fails (ENOSPC, EIO…) is not retried: retrying would hold ever more lines in memory while
 * the disk stays full. The lines it did not write are declared lost (`ctx.lost`): counted, reported, and
 * the server's stop is not clean.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { SinkContext, SinkPlugin } from "../plugin-api.ts";
import { renderText } from "../value-mappers.ts";

const FLUSH_AT_CHARS = 64 * 1024;

/** The closest existing ancestor folder of `path` that is not a directory (mkdir's EEXIST/ENOTDIR). */
function nonDirectoryAncestor(path: string): string | undefined {
  for (let folder = dirname(path); folder !== dirname(folder); folder = dirname(folder)) {
    try {
      return statSync(folder).isDirectory() ? undefined : folder;
    } catch {
      // Not there yet: look further up.
    }
  }
  return undefined;
}

/**
 * @example
 * ```ts
 * // eventSinks: [{ name: "pnl", type: "file", filename: "data-out/pnl.jsonl", valueMapper: "json" }]
 * ```
 */
export class FileSink implements SinkPlugin {
  private ctx!: SinkContext;
  private filename = "";
  private sinkName = "";
  private fsync = false;
  private fd = -1;
  private lines: string[] = [];
  private chars = 0;

  init(ctx: SinkContext): void {
    this.ctx = ctx;
    this.filename = ctx.config.filename as string;
    this.sinkName = ctx.sinkName;
    this.fsync = ctx.config.fsync === true;
  }

  start(): void {
    try {
      mkdirSync(dirname(this.filename), { recursive: true });
    } catch (error) {
      const file = nonDirectoryAncestor(this.filename);
      if (file === undefined) throw error;
      throw new Error(`sink "${this.sinkName}": cannot create the folders of filename ${this.filename}: ${file} is a file, not a directory`);
    }
    this.fd = openSync(this.filename, "a+");
    this.repairTornTail();
  }

  /**
   * A crash during a write can leave the file ending inside a line. That fragment was never confirmed
   * written (its lines were not counted as durable, so a COMMITTED file feed delivers them again): it is
   * cut off, back to the last `\n`, so a reader never takes it for data and the next line starts whole.
   */
  private repairTornTail(): void {
    const size = fstatSync(this.fd).size;
    if (size === 0 || byteAt(this.fd, size - 1) === LF) return;
    const keep = lastLineEnd(this.fd, size);
    ftruncateSync(this.fd, keep);
    this.ctx.log.warn("file ended inside a line (a crash during a write?): cut the torn tail back to the last complete line", {
      sink: this.sinkName,
      path: this.filename,
      removedBytes: size - keep,
      keptBytes: keep,
    });
  }

  accept(value: unknown): void {
    const line = renderText(value);
    this.lines.push(line);
    this.chars += line.length + 1;
    if (this.chars >= FLUSH_AT_CHARS) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0 || this.fd < 0) return;
    const count = this.lines.length;
    const bytes = Buffer.from(this.lines.join("\n") + "\n");
    this.lines = [];
    this.chars = 0;
    let written = 0;
    try {
      // A write may take only part of the buffer (a disk filling up): write the rest.
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
      if (this.fsync) fsyncSync(this.fd);
    } catch (error) {
      // All written but the fsync failed: the kernel may have dropped them, so none is known to be on disk.
      this.ctx.lost(written === bytes.length ? count : count - completeLines(bytes, written), error);
    }
  }

  stop(): void {
    this.flush();
  }

  tearDown(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

const LF = 10;
const TAIL_CHUNK = 64 * 1024;

function byteAt(fd: number, offset: number): number {
  const one = Buffer.alloc(1);
  return readSync(fd, one, 0, 1, offset) === 1 ? one[0] : -1;
}

/** Offset just after the last `\n` before `end` (0 if there is none). */
function lastLineEnd(fd: number, end: number): number {
  const chunk = Buffer.alloc(TAIL_CHUNK);
  for (let to = end; to > 0;) {
    const from = Math.max(0, to - TAIL_CHUNK);
    const length = readSync(fd, chunk, 0, to - from, from);
    const at = chunk.subarray(0, length).lastIndexOf(LF);
    if (at >= 0) return from + at + 1;
    to = from;
  }
  return 0;
}

/** How many lines end within the first `length` bytes. */
function completeLines(bytes: Buffer, length: number): number {
  let lines = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < length; i = bytes.indexOf(10, i + 1)) lines++;
  return lines;
}
