/**
 * The string codec: a string event travels as its UTF-8 bytes, nothing else.
 *
 * @module
 */
import { type Codec, CodecError, CodecIds } from "./codec.ts";
import type { ByteBuffer } from "./byte-buffer.ts";
import { readUtf8, writeUtf8 } from "./utf8.ts";

/**
 * Encodes strings as plain UTF-8.
 *
 * @example
 * ```ts
 * const out = new ByteBuffer();
 * const length = stringCodec.encode("hello", out);
 * stringCodec.decode(out.bytes, 0, length); // "hello"
 * ```
 */
export const stringCodec: Codec<string> = {
  id: CodecIds.string,
  name: "string",
  encode(value: string, out: ByteBuffer): number {
    if (typeof value !== "string") throw new CodecError(`string codec: expected a string, got ${typeof value}`);
    return writeUtf8(value, out, 0);
  },
  decode: readUtf8,
};
