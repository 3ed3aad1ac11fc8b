/**
 * UTF-8 for the codecs. Writing: a JS loop for ASCII text up to a few hundred characters (faster than a
 * native call plus the subarray it needs), TextEncoder beyond or for other text. Reading: short ASCII
 * strings come from an intern table; the rest through a Node `Buffer` view kept over the bytes (it
 * decodes shared memory directly, where TextDecoder would need a private copy, and 2–3× faster here).
 * Malformed sequences become U+FFFD; a leading U+FEFF is kept as text.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import type { ByteBuffer } from "./byte-buffer.ts";

const encoder = new TextEncoder();
/** Up to this many UTF-16 units, ASCII text is written by a JS loop. */
const SHORT = 256;
/** Short ASCII strings are interned in a direct-mapped table so repeated keys and values decode without allocating. */
const CACHE_SIZE = 2048;
const CACHE_MAX_LENGTH = 24;
const cacheStrings: (string | undefined)[] = new Array(CACHE_SIZE);
const cacheLengths = new Uint8Array(CACHE_SIZE);
const cacheBytes = new Uint8Array(CACHE_SIZE * CACHE_MAX_LENGTH);
let bufferOf: Uint8Array | undefined;
let bufferView: Buffer;

/** A Buffer over the same memory as `bytes`, made once per distinct array (rings reuse theirs). */
function bufferOver(bytes: Uint8Array): Buffer {
  if (bytes !== bufferOf) {
    bufferOf = bytes;
    bufferView = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return bufferView;
}

/**
 * Writes `text` as UTF-8 into `out` at `at`, growing `out` as needed; returns the byte length.
 *
 * @example
 * ```ts
 * const out = new ByteBuffer(16);
 * writeUtf8("héllo", out, 0); // 6
 * ```
 */
export function writeUtf8(text: string, out: ByteBuffer, at: number): number {
  const length = text.length;
  out.ensure(at + length * 3);
  const bytes = out.bytes;
  let i = 0;
  if (length <= SHORT) {
    for (; i < length; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0x80) break;
      bytes[at + i] = unit;
    }
    if (i === length) return length;
  }
  const rest = i === 0 ? text : text.slice(i);
  return i + encoder.encodeInto(rest, bytes.subarray(at + i)).written;
}

/**
 * Reads `length` bytes of UTF-8 at `offset` (the bytes may be shared memory). Malformed sequences become
 * U+FFFD rather than throwing.
 *
 * @example
 * ```ts
 * readUtf8(new TextEncoder().encode("abc"), 0, 3); // "abc"
 * ```
 */
export function readUtf8(bytes: Uint8Array, offset: number, length: number): string {
  if (length <= CACHE_MAX_LENGTH) {
    const interned = internAscii(bytes, offset, length);
    if (interned !== undefined) return interned;
  }
  return bufferOver(bytes).toString("utf8", offset, offset + length);
}

/**
 * Short ASCII strings come from a direct-mapped table indexed by length and three sampled bytes, so a
 * repeated key or symbol costs one comparison pass and no allocation. Returns undefined for non-ASCII.
 */
function internAscii(bytes: Uint8Array, offset: number, length: number): string | undefined {
  if (length === 0) return "";
  const slot = (Math.imul(length, 0x9e3779b1) ^ Math.imul(bytes[offset], 31) ^ Math.imul(bytes[offset + length - 1], 131) ^
    Math.imul(bytes[offset + (length >> 1)], 17)) & (CACHE_SIZE - 1);
  const cached = cacheStrings[slot];
  if (cached !== undefined && cacheLengths[slot] === length) {
    const base = slot * CACHE_MAX_LENGTH;
    let i = 0;
    while (i < length && cacheBytes[base + i] === bytes[offset + i]) i++;
    if (i === length) return cached;
  }
  let text = "";
  for (let i = 0; i < length; i++) {
    const byte = bytes[offset + i];
    if (byte >= 0x80) return undefined;
    text += String.fromCharCode(byte);
  }
  cacheStrings[slot] = text;
  cacheLengths[slot] = length;
  cacheBytes.set(bytes.subarray(offset, offset + length), slot * CACHE_MAX_LENGTH);
  return text;
}
