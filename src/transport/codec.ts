/**
 * Codecs turn event values into ring payload bytes and back. Each record carries its codec id, so one
 * ring can mix codecs and the consumer always decodes with the codec the producer used.
 *
 * Ids: 1 string, 2 generic structured values, 3 and 4 JSON text (parsed by the consumer); 8+ are free for fixed-layout event types (the zero-allocation
 * path: a fixed-layout codec writes fields straight into claimed ring space and decodes into a reused
 * flyweight, so it implements the same interface with a known `fixedLength`).
 *
 * @module
 */
import type { ByteBuffer } from "./byte-buffer.ts";

/** Encodes values of some kind into bytes and decodes them back. */
export interface Codec<T = unknown> {
  /** Written into each record header (1..255). */
  readonly id: number;
  readonly name: string;
  /**
   * Encodes `value` into `out` from offset 0, growing it as needed; returns the encoded length.
   * Throws {@link CodecError} for values it cannot represent.
   */
  encode(value: T, out: ByteBuffer): number;
  /** Decodes `bytes[offset, offset + length)`. `bytes` may view shared memory valid only during the call. */
  decode(bytes: Uint8Array, offset: number, length: number): T;
  /**
   * Id written instead of `id` into every ring but the first when one event goes to several rings: a
   * codec whose decoding can fail names a twin that fails quietly, so the failure is reported once.
   */
  readonly mirrorId?: number;
}

/** A value that a codec cannot represent; the message names where in the value the problem is. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CodecError";
  }
}

/** Codec ids in use. */
export const CodecIds = { string: 1, generic: 2, jsonText: 3, jsonTextMirror: 4 } as const;
