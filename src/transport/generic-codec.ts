/**
 * The generic codec: plain objects (also with a null prototype), arrays (also sparse), strings, numbers,
 * bigints, booleans, null and undefined (plus Uint8Array for binary payloads) in a compact tagged binary
 * form. It is several times faster than JSON.stringify + TextEncoder here and, unlike JSON, keeps NaN,
 * ±Infinity, -0, undefined, bigints, array holes and strings with lone surrogates exact.
 *
 * Values it refuses, with a {@link CodecError} naming the path (e.g. `.orders[2].when`): functions,
 * symbols, class instances (Date, Map, Buffer, custom classes: send a plain object instead), and values
 * nested deeper than 256 levels (usually a cycle). Like JSON and structured clone it sends an object's
 * own enumerable string keys and an array's elements only: symbol keys and extra (non-index) properties
 * of an array are not sent. Detecting them costs a key listing per object or array (measured 5-15% more
 * per small event, up to 3× for a 64-number array), so they are documented rather than checked.
 *
 * Format (little-endian): one tag byte per value, then
 * int32 (4 bytes) | float64 (8) | short string (u8 byte length + UTF-8) | string (u32 + UTF-8) |
 * UTF-16 string (u32 unit count + units: only for strings with lone surrogates, which UTF-8 cannot hold) |
 * array (u32 count + items, a hole is one tag byte) | object or null-prototype object (u32 count +
 * (string key, value) pairs) | bytes (u32 + raw) | bigint (a string: hexadecimal digits, `-` first if
 * negative).
 *
 * @module
 */
import { type Codec, CodecError, CodecIds } from "./codec.ts";
import type { ByteBuffer } from "./byte-buffer.ts";
import { readUtf8 } from "./utf8.ts";
import { KEY_MISMATCH, ObjectShapes, type ShapeReader } from "./object-shapes.ts";

const TAG_NULL = 0;
const TAG_UNDEFINED = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_INT32 = 4;
const TAG_FLOAT64 = 5;
const TAG_SHORT_STRING = 6;
const TAG_STRING = 7;
const TAG_ARRAY = 8;
const TAG_OBJECT = 9;
const TAG_BYTES = 10;
const TAG_BIGINT = 11;
const TAG_UTF16_STRING = 12;
const TAG_HOLE = 13;
const TAG_BARE_OBJECT = 14;

const MAX_DEPTH = 256;
/** A string of at most this many UTF-16 units always fits a u8 byte length (3 bytes per unit at most). */
const SHORT_STRING_UNITS = 85;
const textEncoder = new TextEncoder();
/** What the decoder returns for a hole's tag, so the array loop can leave that index empty. */
const HOLE = Symbol("hole");

/** Thrown inside the encoder; carries the offending value so its path can be found afterwards. */
class Unsupported extends Error {
  constructor(readonly problem: string, readonly culprit: unknown) {
    super(problem);
  }
}

/** Finds where `culprit` sits inside `root` (only called after a failure, so the hot path keeps no path). */
function pathTo(root: unknown, culprit: unknown, depth = 0): string | undefined {
  if (Object.is(root, culprit)) return "";
  if (typeof root !== "object" || root === null || depth > MAX_DEPTH) return undefined;
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) {
      const rest = pathTo(root[i], culprit, depth + 1);
      if (rest !== undefined) return `[${i}]${rest}`;
    }
    return undefined;
  }
  for (const key in root as Record<string, unknown>) {
    const rest = pathTo((root as Record<string, unknown>)[key], culprit, depth + 1);
    if (rest !== undefined) return `.${key}${rest}`;
  }
  return undefined;
}

/** Names what a non-plain object is, for the refusal message. */
function unsupportedInstance(prototype: { constructor?: { name?: string; prototype?: unknown } }): string {
  const constructor = prototype.constructor;
  const what = constructor?.prototype === prototype && constructor.name ? `an instance of ${constructor.name}` : "an object with a custom prototype";
  const subclass = prototype instanceof Uint8Array ? " (a Uint8Array subclass: send new Uint8Array(value) instead)" : "";
  return `${what}${subclass} (only plain objects, arrays and Uint8Array are supported)`;
}

class GenericEncoder {
  private out!: ByteBuffer;
  private bytes!: Uint8Array;
  private pos = 0;

  encode(value: unknown, out: ByteBuffer): number {
    this.out = out;
    this.bytes = out.bytes;
    this.pos = 0;
    try {
      this.value(value, 0);
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      let path = pathTo(value, error.culprit) || "the top level";
      if (path.length > 120) path = path.slice(0, 117) + "…";
      throw new CodecError(`cannot encode ${error.problem} at ${path}`);
    }
    return this.pos;
  }

  /** Makes room for `bytes` more bytes. */
  private room(bytes: number): void {
    if (this.pos + bytes <= this.bytes.length) return;
    this.out.ensure(this.pos + bytes);
    this.bytes = this.out.bytes;
  }

  private value(value: unknown, depth: number): void {
    switch (typeof value) {
      case "number":
        return this.number(value);
      case "string":
        return this.string(value);
      case "boolean":
        this.room(1);
        this.bytes[this.pos++] = value ? TAG_TRUE : TAG_FALSE;
        return;
      case "undefined":
        this.room(1);
        this.bytes[this.pos++] = TAG_UNDEFINED;
        return;
      case "object":
        if (value === null) {
          this.room(1);
          this.bytes[this.pos++] = TAG_NULL;
          return;
        }
        if (depth >= MAX_DEPTH) throw new Unsupported(`a value nested deeper than ${MAX_DEPTH} levels (a cycle?)`, value);
        if (Array.isArray(value)) return this.array(value, depth);
        if (value instanceof Uint8Array) return this.binary(value);
        return this.object(value as Record<string, unknown>, depth);
      case "bigint":
        return this.bigint(value);
      default:
        throw new Unsupported(`a ${typeof value}`, value);
    }
  }

  private number(value: number): void {
    this.room(9);
    const bytes = this.bytes;
    const at = this.pos;
    if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
      bytes[at] = TAG_INT32;
      this.uint32(at + 1, value);
      this.pos = at + 5;
    } else {
      bytes[at] = TAG_FLOAT64;
      this.out.view.setFloat64(at + 1, value, true);
      this.pos = at + 9;
    }
  }

  /** Little-endian 32 bits (signed or unsigned: same bytes). */
  private uint32(at: number, value: number): void {
    const bytes = this.bytes;
    bytes[at] = value;
    bytes[at + 1] = value >>> 8;
    bytes[at + 2] = value >>> 16;
    bytes[at + 3] = value >>> 24;
  }

  private string(text: string): void {
    const units = text.length;
    if (units <= SHORT_STRING_UNITS) {
      this.room(2 + units * 3);
      const bytes = this.bytes;
      const start = this.pos + 2;
      let i = 0;
      for (; i < units; i++) {
        const unit = text.charCodeAt(i);
        if (unit >= 0x80) break;
        bytes[start + i] = unit;
      }
      if (i < units && !text.isWellFormed()) return this.utf16(text);
      const length = i === units ? units : i + textEncoder.encodeInto(text.slice(i), bytes.subarray(start + i)).written;
      bytes[this.pos] = TAG_SHORT_STRING;
      bytes[this.pos + 1] = length;
      this.pos = start + length;
      return;
    }
    if (!text.isWellFormed()) return this.utf16(text);
    this.room(5 + units * 3);
    const length = textEncoder.encodeInto(text, this.bytes.subarray(this.pos + 5)).written;
    this.bytes[this.pos] = TAG_STRING;
    this.uint32(this.pos + 1, length);
    this.pos += 5 + length;
  }

  /** UTF-16 code units as they are: UTF-8 cannot hold a lone surrogate (TextEncoder makes it U+FFFD). */
  private utf16(text: string): void {
    const units = text.length;
    this.room(5 + units * 2);
    const bytes = this.bytes;
    bytes[this.pos] = TAG_UTF16_STRING;
    this.uint32(this.pos + 1, units);
    let at = this.pos + 5;
    for (let i = 0; i < units; i++, at += 2) {
      const unit = text.charCodeAt(i);
      bytes[at] = unit;
      bytes[at + 1] = unit >>> 8;
    }
    this.pos = at;
  }

  /** Hexadecimal digits as a string: exact at any size, and converted by the engine's own code. */
  private bigint(value: bigint): void {
    this.room(1);
    this.bytes[this.pos++] = TAG_BIGINT;
    this.string(value.toString(16));
  }

  private array(items: unknown[], depth: number): void {
    this.room(5);
    this.bytes[this.pos] = TAG_ARRAY;
    this.uint32(this.pos + 1, items.length);
    this.pos += 5;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === undefined && !(i in items)) {
        this.room(1);
        this.bytes[this.pos++] = TAG_HOLE;
      } else {
        this.value(item, depth + 1);
      }
    }
  }

  private binary(bytes: Uint8Array): void {
    const prototype = Object.getPrototypeOf(bytes);
    if (prototype !== Uint8Array.prototype) throw new Unsupported(unsupportedInstance(prototype), bytes);
    this.room(5 + bytes.length);
    this.bytes[this.pos] = TAG_BYTES;
    this.uint32(this.pos + 1, bytes.length);
    this.bytes.set(bytes, this.pos + 5);
    this.pos += 5 + bytes.length;
  }

  private object(object: Record<string, unknown>, depth: number): void {
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) throw new Unsupported(unsupportedInstance(prototype), object);
    this.room(5);
    this.bytes[this.pos] = prototype === null ? TAG_BARE_OBJECT : TAG_OBJECT;
    const countAt = this.pos + 1;
    this.pos += 5;
    let count = 0;
    for (const key in object) {
      this.string(key);
      // Numbers and strings dominate event fields: dispatching them here keeps the JIT's type feedback
      // per call site monomorphic instead of funnelling everything through value().
      const field = object[key];
      if (typeof field === "number") this.number(field);
      else if (typeof field === "string") this.string(field);
      else this.value(field, depth + 1);
      count++;
    }
    this.uint32(countAt, count);
  }
}

class GenericDecoder implements ShapeReader {
  private readonly shapes = new ObjectShapes(TAG_SHORT_STRING);
  private bytes!: Uint8Array;
  /** A DataView over the bytes being decoded (floats), rebuilt only when those bytes change. */
  private viewOf: Uint8Array | undefined;
  private view!: DataView;
  private pos = 0;

  decode(bytes: Uint8Array, offset: number, length: number): unknown {
    this.bytes = bytes;
    this.pos = offset;
    const value = this.value();
    if (this.pos !== offset + length) throw new CodecError(`generic codec: decoded ${this.pos - offset} of ${length} bytes (corrupt record)`);
    return value;
  }

  value(): unknown {
    const tag = this.bytes[this.pos++];
    switch (tag) {
      case TAG_SHORT_STRING:
      case TAG_STRING:
      case TAG_UTF16_STRING:
        this.pos--;
        return this.string();
      case TAG_INT32: {
        const value = this.int32(this.pos);
        this.pos += 4;
        return value;
      }
      case TAG_FLOAT64: {
        if (this.viewOf !== this.bytes) {
          this.viewOf = this.bytes;
          this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
        }
        const value = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return value;
      }
      case TAG_OBJECT:
        return this.object();
      case TAG_BARE_OBJECT: {
        const count = this.int32(this.pos) >>> 0;
        this.pos += 4;
        return this.properties(Object.create(null), count);
      }
      case TAG_ARRAY: {
        const count = this.int32(this.pos) >>> 0;
        this.pos += 4;
        const items = new Array(count);
        for (let i = 0; i < count; i++) {
          const item = this.value();
          if (item !== HOLE) items[i] = item;
        }
        return items;
      }
      case TAG_HOLE:
        return HOLE;
      case TAG_BIGINT: {
        const digits = this.string();
        return digits.charCodeAt(0) === 45 /* - */ ? -BigInt(`0x${digits.slice(1)}`) : BigInt(`0x${digits}`);
      }
      case TAG_NULL:
        return null;
      case TAG_UNDEFINED:
        return undefined;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_BYTES: {
        const length = this.int32(this.pos) >>> 0;
        const copy = this.bytes.slice(this.pos + 4, this.pos + 4 + length);
        this.pos += 4 + length;
        return copy;
      }
      default:
        throw new CodecError(`generic codec: unknown tag ${tag} at byte ${this.pos - 1} (corrupt record)`);
    }
  }

  /**
   * A plain object: built by its shape's literal when this key sequence was seen before (see ObjectShapes),
   * else property by property. A shape whose keys turn out not to match is abandoned mid-object and the
   * object decoded again the slow way: decoding has no side effects, so starting over is safe.
   */
  private object(): Record<string, unknown> {
    const start = this.pos;
    const count = this.int32(start) >>> 0;
    this.pos += 4;
    const shapes = this.shapes;
    const fingerprint = shapes.fingerprint(this.bytes, this.pos, count);
    const shape = fingerprint < 0 ? undefined : shapes.lookup(fingerprint);
    if (shape !== undefined) {
      try {
        return shape.build(this);
      } catch (error) {
        if (error !== KEY_MISMATCH) throw error;
        shapes.mismatched(fingerprint);
        this.pos = start + 4;
      }
    }
    const object = this.properties({}, count);
    shapes.learn(fingerprint, count, object);
    return object;
  }

  /** Reads `count` (key, value) pairs into `object`. */
  private properties(object: Record<string, unknown>, count: number): Record<string, unknown> {
    for (let i = 0; i < count; i++) {
      const key = this.string();
      // Assigning "__proto__" would set the prototype instead of creating the property.
      if (key === "__proto__") Object.defineProperty(object, key, { value: this.value(), enumerable: true, writable: true, configurable: true });
      else object[key] = this.value();
    }
    return object;
  }

  /** Skips the encoded key at the read position if its bytes are `expected`; throws {@link KEY_MISMATCH} otherwise. */
  key(expected: Uint8Array): void {
    const bytes = this.bytes;
    const at = this.pos;
    for (let i = 0; i < expected.length; i++) {
      if (bytes[at + i] !== expected[i]) throw KEY_MISMATCH;
    }
    this.pos = at + expected.length;
  }

  private int32(at: number): number {
    const bytes = this.bytes;
    return bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24);
  }

  private string(): string {
    const tag = this.bytes[this.pos];
    let length: number;
    let start: number;
    if (tag === TAG_SHORT_STRING) {
      length = this.bytes[this.pos + 1];
      start = this.pos + 2;
    } else if (tag === TAG_STRING) {
      length = this.int32(this.pos + 1) >>> 0;
      start = this.pos + 5;
    } else if (tag === TAG_UTF16_STRING) {
      return this.utf16();
    } else {
      throw new CodecError(`generic codec: expected a string at byte ${this.pos}, found tag ${tag} (corrupt record)`);
    }
    this.pos = start + length;
    return readUtf8(this.bytes, start, length);
  }

  private utf16(): string {
    const units = this.int32(this.pos + 1) >>> 0;
    const bytes = this.bytes;
    let at = this.pos + 5;
    const end = at + units * 2;
    let text = "";
    // Chunks keep each fromCharCode call's argument list well under engine limits.
    const chunk: number[] = [];
    while (at < end) {
      chunk.length = 0;
      for (; at < end && chunk.length < 4096; at += 2) chunk.push(bytes[at] | (bytes[at + 1] << 8));
      text += String.fromCharCode(...chunk);
    }
    this.pos = end;
    return text;
  }
}

const encoder = new GenericEncoder();
const decoder = new GenericDecoder();

/**
 * The generic structured-value codec.
 *
 * @example
 * ```ts
 * const out = new ByteBuffer();
 * const length = genericCodec.encode({ sym: "AAPL", px: 101.25 }, out);
 * genericCodec.decode(out.bytes, 0, length); // { sym: "AAPL", px: 101.25 }
 * ```
 */
export const genericCodec: Codec<unknown> = {
  id: CodecIds.generic,
  name: "generic",
  encode: (value, out) => encoder.encode(value, out),
  decode: (bytes, offset, length) => decoder.decode(bytes, offset, length),
};
