/**
 * The JSON-text codec: a line of a `valueMapper: json` feed travels as its text, with its origin (line
 * number, byte offset), and is parsed by the subscribing agent. Parsing is the dominant cost of a JSON
 * feed; doing it on the consumer leaves the feed's agent to read and split, so the two threads share the
 * work instead of the feed's agent doing all of it (see bench/file-feed.ts).
 *
 * A line that does not parse must become one dead letter, not one per subscribing agent, so the record
 * goes to the first subscriber's ring with {@link jsonTextCodec} and to the others with its mirror
 * ({@link Codec.mirrorId}): both decode alike, but only the first reports the failure.
 *
 * Payload: f64 line number (0: unknown), f64 byte offset (-1: unknown), then the UTF-8 text.
 *
 * @module
 */
import { type Codec, CodecError, CodecIds } from "./codec.ts";
import type { ByteBuffer } from "./byte-buffer.ts";
import { readUtf8, writeUtf8 } from "./utf8.ts";
import { copyBytes } from "./copy-bytes.ts";

const PREFIX_BYTES = 16;
const scratch = new Float64Array(2);
const scratchBytes = new Uint8Array(scratch.buffer);

/** A JSON line to send: fill one, reuse it (the codec copies it out at once). */
export interface JsonLine {
  text: string;
  /** 1-based line number, 0 when unknown. */
  line: number;
  /** Byte offset of the line in its source, -1 when unknown. */
  offset: number;
}

/**
 * A JSON line given as its UTF-8 bytes `bytes[from, to)` (a file feed's read block): copied as they are,
 * so the sender never builds a string (the consumer decodes it anyway). Fill one, reuse it.
 */
export interface JsonLineBytes {
  bytes: Uint8Array;
  from: number;
  to: number;
  /** 1-based line number, 0 when unknown. */
  line: number;
  /** Byte offset of the line in its source, -1 when unknown. */
  offset: number;
}

/** A line that is not valid JSON, found by the consumer; `report` is false on the mirrored copies. */
export class JsonLineError extends Error {
  constructor(message: string, readonly raw: string, readonly line: number | undefined, readonly offset: number | undefined, readonly report: boolean) {
    super(message);
    this.name = "ParseError";
  }
}

function encode(value: unknown, out: ByteBuffer): number {
  const line = value as Partial<JsonLine & JsonLineBytes> | undefined;
  const text = line?.text;
  const bytes = line?.bytes;
  if (typeof text !== "string" && !(bytes instanceof Uint8Array)) throw new CodecError("json-text codec: expected a JSON line");
  const length = bytes === undefined ? 0 : line!.to! - line!.from!;
  out.ensure(PREFIX_BYTES + length);
  scratch[0] = line!.line!;
  scratch[1] = line!.offset!;
  const into = out.bytes;
  into.set(scratchBytes, 0);
  if (typeof text === "string") return PREFIX_BYTES + writeUtf8(text, out, PREFIX_BYTES);
  copyBytes(bytes!, line!.from!, length, into, PREFIX_BYTES);
  return PREFIX_BYTES + length;
}

function decoder(report: boolean) {
  return (bytes: Uint8Array, offset: number, length: number): unknown => {
    const text = readUtf8(bytes, offset + PREFIX_BYTES, length - PREFIX_BYTES);
    try {
      return JSON.parse(text);
    } catch (error) {
      scratchBytes.set(bytes.subarray(offset, offset + PREFIX_BYTES));
      throw new JsonLineError((error as Error).message, text, scratch[0] || undefined, scratch[1] >= 0 ? scratch[1] : undefined, report);
    }
  };
}

/**
 * Carries a {@link JsonLine} or a {@link JsonLineBytes}; decodes to the parsed value, or throws {@link JsonLineError}.
 *
 * @example
 * ```ts
 * const out = new ByteBuffer();
 * const length = jsonTextCodec.encode({ text: '{"px":1}', line: 7, offset: 120 }, out);
 * jsonTextCodec.decode(out.bytes, 0, length); // { px: 1 }
 * ```
 */
export const jsonTextCodec: Codec<unknown> = {
  id: CodecIds.jsonText,
  name: "json-text",
  mirrorId: CodecIds.jsonTextMirror,
  encode,
  decode: decoder(true),
};

/** The copy of {@link jsonTextCodec} for every subscriber but the first: same bytes, failures not reported. */
export const jsonTextMirrorCodec: Codec<unknown> = {
  id: CodecIds.jsonTextMirror,
  name: "json-text-mirror",
  encode,
  decode: decoder(false),
};
