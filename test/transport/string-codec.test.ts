import { describe, expect, it } from "bun:test";
import { ByteBuffer } from "../../src/transport/byte-buffer.ts";
import { stringCodec } from "../../src/transport/string-codec.ts";

describe("string codec", () => {
  it("round-trips ASCII, multi-byte and long strings from shared memory", () => {
    for (const text of ["", "plain", "€uro ✓ 𝄞 日本語", "q".repeat(70_000), "é".repeat(40)]) {
      const buffer = new ByteBuffer(4);
      const length = stringCodec.encode(text, buffer);
      expect(length).toBe(new TextEncoder().encode(text).length);
      const shared = new Uint8Array(new SharedArrayBuffer(length + 1));
      shared.set(buffer.bytes.subarray(0, length), 1);
      expect(stringCodec.decode(shared, 1, length)).toBe(text);
    }
  });

  it("turns malformed UTF-8 into replacement characters instead of throwing", () => {
    expect(stringCodec.decode(new Uint8Array([0x61, 0xff, 0x62]), 0, 3)).toBe("a\uFFFDb");
  });

  it("rejects non-strings clearly", () => {
    expect(() => stringCodec.encode(42 as unknown as string, new ByteBuffer())).toThrow(/expected a string, got number/);
  });

  it("returns the same interned string for repeated short ASCII values", () => {
    const bytes = new TextEncoder().encode("SYMBOL");
    expect(stringCodec.decode(bytes, 0, 6)).toBe("SYMBOL");
    expect(stringCodec.decode(bytes, 0, 6)).toBe(stringCodec.decode(bytes, 0, 6));
    expect(stringCodec.decode(new TextEncoder().encode("SYMBOM"), 0, 6)).toBe("SYMBOM");
  });
});
