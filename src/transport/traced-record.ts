/**
 * How a W3C `traceparent` rides along with an event through a ring without touching the record header or
 * the codecs: a traced record's header names {@link TRACED_CODEC_ID}, and its payload is the event's own
 * encoding followed by the 55 ASCII bytes of the traceparent and one byte holding the event's real codec
 * id. Untraced records are written exactly as before, so with tracing off nothing changes on either side;
 * only a consumer that knows tracing is on looks for the id at all.
 *
 * @module
 */
import type { ByteBuffer } from "./byte-buffer.ts";
import { readUtf8 } from "./utf8.ts";

/** Characters of a version-00 traceparent: `00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>`. */
export const TRACEPARENT_LENGTH = 55;
/** Codec id in the header of a traced record (ids below 8 are the built-ins' and never an event type's). */
export const TRACED_CODEC_ID = 7;
/** Bytes a traced record's payload carries after the event's own encoding. */
export const TRACE_SUFFIX_BYTES = TRACEPARENT_LENGTH + 1;

/**
 * Appends `traceparent` and the event's codec id after the `length` encoded bytes in `buffer`; returns
 * the traced payload's length (write it with {@link TRACED_CODEC_ID}). `traceparent` must be 55 ASCII
 * characters (see `parseTraceparent`).
 *
 * @example
 * ```ts
 * const length = appendTrace(buffer, encoder.encode(value), encoder.codecId, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
 * ring.write(TRACED_CODEC_ID, sequence, now, buffer.bytes, length, backpressure);
 * ```
 */
export function appendTrace(buffer: ByteBuffer, length: number, codecId: number, traceparent: string): number {
  buffer.ensure(length + TRACE_SUFFIX_BYTES);
  const bytes = buffer.bytes;
  for (let i = 0; i < TRACEPARENT_LENGTH; i++) bytes[length + i] = traceparent.charCodeAt(i);
  bytes[length + TRACEPARENT_LENGTH] = codecId;
  return length + TRACE_SUFFIX_BYTES;
}

/**
 * The traceparent of the traced record whose payload is `bytes[offset, offset + length)`.
 *
 * @example
 * ```ts
 * if (codecId === TRACED_CODEC_ID) {
 *   meta.traceparent = readTraceparent(bytes, offset, length);
 *   codecId = tracedCodecId(bytes, offset, length);
 *   length -= TRACE_SUFFIX_BYTES;
 * }
 * ```
 */
export function readTraceparent(bytes: Uint8Array, offset: number, length: number): string {
  return readUtf8(bytes, offset + length - TRACE_SUFFIX_BYTES, TRACEPARENT_LENGTH);
}

/**
 * The event's own codec id in a traced record (see {@link readTraceparent}).
 *
 * @example
 * ```ts
 * const value = codecs.get(tracedCodecId(bytes, offset, length))!.decode(bytes, offset, length - TRACE_SUFFIX_BYTES);
 * ```
 */
export function tracedCodecId(bytes: Uint8Array, offset: number, length: number): number {
  return bytes[offset + length - 1];
}
