/**
 * Encodes outgoing values once, into a reused buffer, with the codec that fits the value; encoding
 * errors name the feed or sink the value was meant for.
 *
 * @module
 */
import { ByteBuffer } from "../transport/byte-buffer.ts";
import { type Codec, CodecError } from "../transport/codec.ts";
import { codecForValue } from "../transport/codecs.ts";
import { appendTrace, TRACED_CODEC_ID } from "../transport/traced-record.ts";

/**
 * @example
 * ```ts
 * const encoder = new EventEncoder(`feed "prices"`);
 * const length = encoder.encode({ px: 1 });
 * ring.write(encoder.codecId, sequence, now, encoder.bytes, length, backpressure);
 * ```
 */
export class EventEncoder {
  private readonly buffer = new ByteBuffer(512);
  /** Codec of the last encoded value. */
  codecId = 0;

  /** @param label what the values are for, e.g. `feed "prices"`; prefixes encoding errors. */
  constructor(private readonly label: string) {}

  /** The encoded bytes of the last value (valid until the next call). */
  get bytes(): Uint8Array {
    return this.buffer.bytes;
  }

  /**
   * Encodes `value` with `codec` (by default the one that fits the value); returns its length. Throws
   * {@link CodecError} naming the label for values the codec cannot carry.
   */
  encode(value: unknown, codec: Codec = codecForValue(value)): number {
    try {
      const length = codec.encode(value, this.buffer);
      this.codecId = codec.id;
      return length;
    } catch (error) {
      if (error instanceof CodecError) throw new CodecError(`${this.label}: ${error.message}`);
      throw error;
    }
  }

  /**
   * Encodes `value` as {@link EventEncoder.encode} does, followed by `traceparent` (a traced record: the
   * codec id becomes {@link TRACED_CODEC_ID}); returns the whole payload's length.
   */
  encodeTraced(value: unknown, codec: Codec | undefined, traceparent: string): number {
    const length = appendTrace(this.buffer, this.encode(value, codec), this.codecId, traceparent);
    this.codecId = TRACED_CODEC_ID;
    return length;
  }
}
