import { describe, expect, it } from "bun:test";
import { ByteBuffer } from "../../src/transport/byte-buffer.ts";
import { CodecError } from "../../src/transport/codec.ts";
import { codecById } from "../../src/transport/codecs.ts";
import { JsonLineError, jsonTextCodec, jsonTextMirrorCodec } from "../../src/transport/json-text-codec.ts";

function roundTrip(text: string, line = 1, offset = 0) {
  const out = new ByteBuffer(8);
  const length = jsonTextCodec.encode({ text, line, offset }, out);
  return { out, length };
}

describe("json-text codec", () => {
  it("carries a JSON line as text and decodes it to the parsed value, multi-byte text included", () => {
    const { out, length } = roundTrip('{"sym":"€uro","px":-0.5,"tags":["a"]}');
    expect(jsonTextCodec.decode(out.bytes, 0, length)).toEqual({ sym: "€uro", px: -0.5, tags: ["a"] });
  });

  it("carries a line given as a range of UTF-8 bytes, short or long, exactly as its text", () => {
    for (const text of ['{"sym":"€uro","px":1}', JSON.stringify({ note: "𝄞✓".repeat(200) })]) {
      const source = new TextEncoder().encode(`xx${text}\nyy`); // the line is bytes [2, 2 + its length)
      const out = new ByteBuffer(8);
      const length = jsonTextCodec.encode({ bytes: source, from: 2, to: source.length - 3, line: 4, offset: 30 }, out);
      expect(length).toBe(roundTrip(text, 4, 30).length);
      expect(out.bytes.subarray(0, length)).toEqual(roundTrip(text, 4, 30).out.bytes.subarray(0, length));
      expect(jsonTextCodec.decode(out.bytes, 0, length)).toEqual(JSON.parse(text));
    }
  });

  it("throws a JsonLineError with the raw text, line and offset for a line that is not JSON", () => {
    const { out, length } = roundTrip("{not json", 7, 120);
    let thrown: unknown;
    try {
      jsonTextCodec.decode(out.bytes, 0, length);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JsonLineError);
    const error = thrown as JsonLineError;
    expect([error.name, error.raw, error.line, error.offset, error.report]).toEqual(["ParseError", "{not json", 7, 120, true]);
  });

  it("leaves line and offset undefined when the source did not know them", () => {
    const { out, length } = roundTrip("nope", 0, -1);
    try {
      jsonTextCodec.decode(out.bytes, 0, length);
      throw new Error("expected a parse failure");
    } catch (error) {
      expect([(error as JsonLineError).line, (error as JsonLineError).offset]).toEqual([undefined, undefined]);
    }
  });

  it("has a mirror that decodes the same bytes but does not report failures", () => {
    expect(codecById(jsonTextCodec.mirrorId!)).toBe(jsonTextMirrorCodec);
    const { out, length } = roundTrip('[1,2]');
    expect(jsonTextMirrorCodec.decode(out.bytes, 0, length)).toEqual([1, 2]);
    const bad = roundTrip("[1,");
    try {
      jsonTextMirrorCodec.decode(bad.out.bytes, 0, bad.length);
      throw new Error("expected a parse failure");
    } catch (error) {
      expect((error as JsonLineError).report).toBe(false);
    }
  });

  it("refuses anything but a JSON line", () => {
    expect(() => jsonTextCodec.encode("plain string" as never, new ByteBuffer(8))).toThrow(CodecError);
  });
});
