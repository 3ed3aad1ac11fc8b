/**
 * The first bytes of a file, kept to recognise it. A path can name a different file over time: it can
 * be truncated and refilled in place (same inode), or deleted and recreated (the filesystem may reuse
 * the inode). Its size alone does not tell: a refilled file can already be longer than what was read.
 * Its first bytes do, unless the new content starts exactly like the old one.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { readSync } from "node:fs";

/** How many leading bytes identify a file. */
export const FINGERPRINT_BYTES = 256;

/**
 * @example
 * ```ts
 * const fingerprint = new FileFingerprint();
 * fingerprint.capture(fd, size);              // when the file is opened
 * if (!fingerprint.stillMatches(fd, 4096)) {} // after reading up to 4096: replaced in place?
 * const stored = { fingerprint: fingerprint.hash(), fingerprintLength: fingerprint.length };
 * ```
 */
export class FileFingerprint {
  private readonly head = Buffer.alloc(FINGERPRINT_BYTES);
  private readonly scratch = Buffer.alloc(FINGERPRINT_BYTES);
  private known = 0;
  private digest: string | undefined;

  /** Bytes recorded so far (fewer than {@link FINGERPRINT_BYTES} while the file is shorter). */
  get length(): number {
    return this.known;
  }

  /** Records the first bytes of the file open at `fd`, whose size is `size`. */
  capture(fd: number, size: number): void {
    this.known = readSync(fd, this.head, 0, Math.min(FINGERPRINT_BYTES, size), 0);
    this.digest = undefined;
  }

  /**
   * True if the file at `fd` still starts with the recorded bytes. The record grows to the first
   * `upTo` bytes (capped) while the file is shorter than the fingerprint, so a file still starting its
   * life is recognised by everything read of it.
   */
  stillMatches(fd: number, upTo: number): boolean {
    const wanted = Math.min(FINGERPRINT_BYTES, Math.max(upTo, this.known));
    const found = readSync(fd, this.scratch, 0, wanted, 0);
    if (found < this.known || this.scratch.compare(this.head, 0, this.known, 0, this.known) !== 0) return false;
    if (found > this.known) {
      this.scratch.copy(this.head, this.known, this.known, found);
      this.known = found;
      this.digest = undefined;
    }
    return true;
  }

  /** FNV-1a 64-bit hash (hex) of the recorded bytes, as stored in a read pointer. */
  hash(): string {
    return (this.digest ??= hashBytes(this.head, this.known));
  }

  /** FNV-1a 64-bit hash (hex) of the first `length` bytes of the file open at `fd`; undefined if it is shorter. */
  static hashOf(fd: number, length: number): string | undefined {
    const bytes = Buffer.alloc(length);
    return readSync(fd, bytes, 0, length, 0) === length ? hashBytes(bytes, length) : undefined;
  }
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/**
 * FNV-1a, 64 bits, of at most a few hundred bytes: it tells two files apart, which is all a read pointer
 * needs, and it needs no `node:crypto`, whose import cost every agent 6 ms (Bun) to 33 ms (Deno) at boot,
 * since every agent loads the file feed's module.
 */
function hashBytes(bytes: Buffer, length: number): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < length; i++) hash = ((hash ^ BigInt(bytes[i])) * FNV_PRIME) & MASK_64;
  return hash.toString(16).padStart(16, "0");
}
