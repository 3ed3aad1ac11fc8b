/**
 * The committed read position of a file feed, kept beside the file as `<filename>.readPointer`. It is
 * replaced atomically (write a temporary file, then rename over the old one), so a crash leaves either
 * the old pointer or the new one, never a torn one. It records which file it belongs to (device, inode
 * and a hash of the file's first bytes), so a file replaced while the server was down is read from its
 * start even when the filesystem gave it the old inode.
 *
 * Format: `{"offset":4,"inode":1234,"device":64768,"fingerprint":"<FNV-1a 64 hex>","fingerprintLength":4,"handledOffset":9}`
 * (`handledOffset` only when lines past `offset` had been handled: see {@link ReadPosition.handledOffset}).
 * Pointers written before device and fingerprint were recorded (`{"offset":4,"inode":1234}`) are still
 * read; the file is then recognised by its inode only.
 *
 * @module
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { describeThrown } from "../errors.ts";

/** Where to resume reading, and the file it is a position in. */
export interface ReadPosition {
  offset: number;
  inode: number;
  /** Absent in pointers of the first format. */
  device?: number;
  /** FNV-1a 64-bit hash (hex) of the file's first `fingerprintLength` bytes; absent in pointers of the first format. */
  fingerprint?: string;
  fingerprintLength?: number;
  /**
   * How far every subscriber had consumed when the pointer was saved (≥ `offset`): lines between the two
   * were handled but their outputs not yet known written, so they are delivered again after a crash.
   * Absent when equal to `offset` and in older pointers.
   */
  handledOffset?: number;
}

/** What a pointer file held: nothing, a usable position, or something that is not one (and what). */
export type StoredPointer =
  | { kind: "absent" }
  | { kind: "position"; position: ReadPosition }
  | { kind: "unusable"; found: string };

/**
 * @example
 * ```ts
 * const pointer = new ReadPointer("data-in/prices.jsonl");
 * const stored = pointer.read(); // { kind: "absent" } on a first run
 * pointer.write({ offset: 1024, inode: 42, device: 2049, fingerprint: "9f86…", fingerprintLength: 256 });
 * ```
 */
export class ReadPointer {
  readonly path: string;

  constructor(filename: string) {
    this.path = `${filename}.readPointer`;
  }

  /** The stored position; `unusable` says what was found instead of one. */
  read(): StoredPointer {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code === "ENOENT" ? { kind: "absent" } : { kind: "unusable", found: `an unreadable file (${code ?? (error as Error).message})` };
    }
    if (text.trim() === "") return { kind: "unusable", found: "an empty file" };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: "unusable", found: `text that is not JSON: ${quote(text)}` };
    }
    const position = parsed as Record<string, unknown>;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return { kind: "unusable", found: `${quote(text)}, not an object with offset and inode` };
    if (!isCount(position.offset)) return { kind: "unusable", found: `offset ${JSON.stringify(position.offset) ?? "missing"}, not a whole number >= 0` };
    if (!isCount(position.inode)) return { kind: "unusable", found: `inode ${JSON.stringify(position.inode) ?? "missing"}, not a whole number >= 0` };
    const { device, fingerprint, fingerprintLength } = position;
    if (device !== undefined && !isCount(device)) return { kind: "unusable", found: `device ${JSON.stringify(device)}, not a whole number >= 0` };
    if (fingerprint !== undefined && (typeof fingerprint !== "string" || !isCount(fingerprintLength))) {
      return { kind: "unusable", found: `fingerprint ${JSON.stringify(fingerprint)} of length ${JSON.stringify(fingerprintLength) ?? "missing"}` };
    }
    const handledOffset = isCount(position.handledOffset) && position.handledOffset > position.offset ? position.handledOffset : undefined;
    return {
      kind: "position",
      position: { offset: position.offset, inode: position.inode, device, fingerprint, fingerprintLength: fingerprint === undefined ? undefined : fingerprintLength as number, handledOffset },
    };
  }

  /** Replaces the stored position atomically; a failure names the pointer file. */
  write(position: ReadPosition): void {
    const temporary = `${this.path}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify(position) + "\n");
      renameSync(temporary, this.path);
    } catch (error) {
      throw new Error(`could not save its read pointer ${this.path}: ${describeThrown(error).message}`, { cause: error });
    }
  }
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The text as found, on one line and short enough for a log line. */
function quote(text: string): string {
  const trimmed = text.trim();
  return JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed);
}
