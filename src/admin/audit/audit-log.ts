/**
 * The append-only audit log of the admin surface (`admin.auditLog`): one JSON line per mutating call
 * (HTTP, `mongoose admin`, SIGHUP reload, embedding reload). Each entry is appended with O_APPEND and
 * fsynced before the caller gets its answer; the file is opened per entry, so a log rotated by renaming
 * is followed at the next entry, and it is never truncated (a restart appends). A write that fails is
 * logged and counted (`mongoose_audit_write_failures_total`), never thrown: auditing never takes the admin
 * server down. Reading the last entries reads the file's tail only, never the whole file.
 *
 * @module
 */
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../../log/log.ts";
import type { TokenId } from "./caller.ts";

/**
 * How the call reached the server.
 *
 * @example
 * ```ts
 * await server.reloadConfig(undefined, { via: "signal" satisfies AuditVia });
 * ```
 */
export type AuditVia = "http" | "cli" | "signal" | "embedding";

/**
 * One line of the audit log.
 *
 * @example
 * ```ts
 * const entry: AuditEntry = { time: "2026-12-03T06:40:12.345Z", via: "cli", caller: "127.0.0.1", tokenId: "ci", command: "help", outcome: { ok: true, status: 200, durationMs: 1.2 } };
 * ```
 */
export interface AuditEntry {
  /** ISO 8601, UTC. */
  time: string;
  via: AuditVia;
  /** The caller's IP address (HTTP and CLI). */
  caller?: string;
  /** The id of the token the caller presented, `anonymous` or `rejected`; never the token. */
  tokenId?: TokenId;
  /** Method and path, e.g. `POST /api/commands/quit` (HTTP and CLI). */
  request?: string;
  /** The admin command run (`reload` for a configuration reload). */
  command?: string;
  /** Its arguments as given. */
  args?: unknown;
  outcome: AuditOutcome;
}

/** How the call ended. */
export interface AuditOutcome {
  ok: boolean;
  /** The HTTP status answered. */
  status?: number;
  /** Why it failed. */
  error?: string;
  /** What a reload did: applied, rejected, needing a restart. */
  report?: unknown;
  durationMs: number;
}

/**
 * The most entries one tail read returns.
 *
 * @example
 * ```ts
 * audit.tail(MAX_AUDIT_TAIL); // the last 1000 entries at most
 * ```
 */
export const MAX_AUDIT_TAIL = 1000;
/** Bound of one tail read, whatever the entries' sizes. */
const MAX_TAIL_BYTES = 4 << 20;
const CHUNK_BYTES = 64 << 10;

/**
 * @example
 * ```ts
 * const audit = new AuditLog("/var/log/mongoose/audit.jsonl", log);
 * audit.record({ via: "signal", command: "reload", outcome: { ok: true, durationMs: 12 } });
 * audit.tail(10); // the last 10 entries, newest last
 * ```
 */
export class AuditLog {
  private failures = 0;

  constructor(readonly path: string, private readonly log: Logger) {}

  /** Appends one entry stamped with the current time; a failure is logged and counted, never thrown. */
  record(entry: Omit<AuditEntry, "time">): void {
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const fd = openSync(this.path, "a", 0o600);
      try {
        writeSync(fd, line);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      this.failures++;
      this.log.error("audit log: an entry could not be written", { file: this.path, problem: (error as Error).message, command: entry.command ?? entry.request });
    }
  }

  /** Entries that could not be written since the server started. */
  get writeFailures(): number {
    return this.failures;
  }

  /** The last `limit` entries (at most {@link MAX_AUDIT_TAIL}), oldest first; none when the file does not exist yet. */
  tail(limit: number): AuditEntry[] {
    const wanted = Math.min(Math.max(0, Math.floor(limit)), MAX_AUDIT_TAIL);
    if (wanted === 0) return [];
    let fd: number;
    try {
      fd = openSync(this.path, "r");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return [];
      throw error;
    }
    try {
      return lastLines(fd, wanted).flatMap(parseEntry);
    } finally {
      closeSync(fd);
    }
  }
}

/** The last `count` whole lines of the file, reading backwards a chunk at a time up to {@link MAX_TAIL_BYTES}. */
function lastLines(fd: number, count: number): string[] {
  const size = fstatSync(fd).size;
  const chunks: Uint8Array[] = [];
  let start = size;
  let newlines = 0;
  // count + 1 newlines: the one before the first wanted line tells that line is whole.
  while (start > 0 && newlines <= count && size - start < MAX_TAIL_BYTES) {
    const length = Math.min(CHUNK_BYTES, start);
    start -= length;
    const chunk = new Uint8Array(length);
    readSync(fd, chunk, 0, length, start);
    for (const byte of chunk) if (byte === 10) newlines++;
    chunks.unshift(chunk);
  }
  const pieces = new TextDecoder().decode(concat(chunks)).split("\n");
  // After the last newline: a line still being written, or torn by a crash.
  pieces.pop();
  // Reading stopped mid-file: the first piece may be the end of a line.
  if (start > 0) pieces.shift();
  return pieces.filter((line) => line !== "").slice(-count);
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.length;
  }
  return whole;
}

/** A line as an entry; a line that is not one (torn by a crash mid-write) is skipped. */
function parseEntry(line: string): AuditEntry[] {
  try {
    const entry = JSON.parse(line);
    return typeof entry === "object" && entry !== null && typeof entry.time === "string" ? [entry] : [];
  } catch {
    return [];
  }
}
