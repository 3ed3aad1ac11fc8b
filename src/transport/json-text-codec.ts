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

/** A line that is not valid JSON, found by the consumer; `report` is false on the mirrored copies. */
export class JsonLineError extends Error {
  constructor(message: string, readonly raw: string, readonly line: number | undefined, readonly offset: number | undefined, readonly report: boolean) {
    super(message);
    this.name = "ParseError";
  }
}

function encode(value: unknown, out: ByteBuffer): number {
  const line = value as JsonLine;
  if (typeof line?.text !== "string") throw new CodecError("json-text codec: expected a JSON line");
  out.ensure(PREFIX_BYTES);
  scratch[0] = line.line;
  scratch[1] = line.offset;
  out.bytes.set(scratchBytes, 0);
  return PREFIX_BYTES + writeUtf8(line.text, out, PREFIX_BYTES);
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
 * Carries a {@link JsonLine}; decodes to the parsed value, or throws {@link JsonLineError}.
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
