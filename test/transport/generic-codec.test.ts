import { describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { ByteBuffer } from "../../src/transport/byte-buffer.ts";
import { CodecError } from "../../src/transport/codec.ts";
import { genericCodec } from "../../src/transport/generic-codec.ts";

function roundTrip(value: unknown, buffer = new ByteBuffer(16)): unknown {
  const length = genericCodec.encode(value, buffer);
  return genericCodec.decode(buffer.bytes, 0, length);
}

describe("generic codec", () => {
  it("round-trips every supported kind of value exactly", () => {
    const values: unknown[] = [
      null, undefined, true, false, 0, -0, 1, -1, 2147483647, -2147483648, 2147483648, 1.5, -1e300,
      Number.MAX_SAFE_INTEGER, NaN, Infinity, -Infinity, "", "a", "héllo wörld ✓ 𝄞", "x".repeat(85), "y".repeat(86),
      "z".repeat(100_000), [], [1, "two", null, [3]], {}, { a: 1, b: { c: [true, false] }, "key with space": "v" },
      { undefinedField: undefined }, new Uint8Array([0, 1, 255]), "\uFEFFstarts with a byte-order mark",
      { "\uFEFFkey": "\uFEFF" + "long value ".repeat(20) },
    ];
    for (const value of values) {
      const decoded = roundTrip(value);
      if (typeof value === "number") expect(Object.is(decoded, value)).toBe(true);
      else expect(decoded).toEqual(value);
    }
  });

  it("keeps -0 and undefined properties that JSON would lose", () => {
    const decoded = roundTrip({ zero: -0, gone: undefined }) as Record<string, unknown>;
    expect(Object.is(decoded.zero, -0)).toBe(true);
    expect("gone" in decoded).toBe(true);
  });

  it("grows its output buffer for large values", () => {
    const big = { rows: Array.from({ length: 5000 }, (_, i) => ({ i, name: `row-${i}`, price: i * 1.25 })) };
    expect(roundTrip(big, new ByteBuffer(8))).toEqual(big);
  });

  it("keeps a __proto__ key as data instead of setting the prototype", () => {
    const decoded = roundTrip(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(["__proto__", "a"]);
    expect((decoded as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it("keeps an object's null prototype", () => {
    const bare = Object.assign(Object.create(null), { a: 1, nested: Object.assign(Object.create(null), { b: 2 }) });
    const decoded = roundTrip({ bare }) as { bare: Record<string, Record<string, unknown>> };
    expect(Object.getPrototypeOf(decoded.bare)).toBeNull();
    expect(Object.getPrototypeOf(decoded.bare.nested)).toBeNull();
    expect(Object.entries(decoded.bare)).toEqual([["a", 1], ["nested", decoded.bare.nested]]);
    expect(Object.getPrototypeOf(roundTrip({}))).toBe(Object.prototype);
  });

  it("keeps strings with lone surrogates exactly, as values and as keys, short and long", () => {
    const strings = ["a\uD800b", "\uDC00", "x\uDBFF", "é\uD800", "\uD83D\uDE00 pair then lone \uDE00", "long ".repeat(40) + "\uD800", "\uD800".repeat(5000)];
    for (const text of strings) {
      expect(roundTrip(text)).toBe(text);
      const decoded = roundTrip({ [text]: [text], after: "ok ✓" }) as Record<string, unknown>;
      expect(Object.keys(decoded)).toEqual([text, "after"]);
      expect(decoded[text]).toEqual([text]);
      expect(decoded.after).toBe("ok ✓");
    }
  });

  it("keeps bigints exactly, negative and beyond 64 bits", () => {
    const values = [0n, 1n, -1n, 255n, -256n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n, -(3n ** 200n), 12345678901234567890123456789n];
    for (const value of values) expect(roundTrip(value)).toBe(value);
    expect(roundTrip({ big: 1n, list: [-(2n ** 70n)], after: 2 })).toEqual({ big: 1n, list: [-(2n ** 70n)], after: 2 });
  });

  it("keeps holes in sparse arrays as holes, not undefined", () => {
    // deno-lint-ignore no-sparse-arrays
    const decoded = roundTrip({ list: [1, , 3, undefined, , ] }) as { list: unknown[] };
    expect(decoded.list.length).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => i in decoded.list)).toEqual([true, false, true, true, false]);
    expect(decoded.list[2]).toBe(3);
    expect(roundTrip(new Array(3))).toEqual(new Array(3));
    expect(0 in (roundTrip(new Array(3)) as unknown[])).toBe(false);
  });

  it("refuses unsupported values with the path to them", () => {
    const cases: [unknown, RegExp][] = [
      [{ a: [1, { when: new Date(0) }] }, /instance of Date.*at \.a\[1\]\.when/],
      [{ f: () => 1 }, /a function at \.f/],
      [[Symbol("s")], /a symbol at \[0\]/],
      [new Map(), /instance of Map.*at the top level/],
      [{ point: new (class Point {})() }, /an instance of Point \(only plain objects.* at \.point/],
      [{ derived: Object.create({ inherited: 1 }) }, /an object with a custom prototype \(only plain objects.* at \.derived/],
      [{ raw: Buffer.from("ab") }, /an instance of Buffer \(a Uint8Array subclass: send new Uint8Array\(value\) instead\).* at \.raw/],
    ];
    for (const [value, message] of cases) {
      expect(() => genericCodec.encode(value, new ByteBuffer())).toThrow(message);
      expect(() => genericCodec.encode(value, new ByteBuffer())).toThrow(CodecError);
    }
  });

  it("refuses cyclic values instead of overflowing the stack", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => genericCodec.encode(cyclic, new ByteBuffer())).toThrow(/nested deeper than 256 levels/);
  });

  it("reports a corrupt record instead of returning garbage", () => {
    const buffer = new ByteBuffer();
    const length = genericCodec.encode({ a: 1 }, buffer);
    buffer.bytes[0] = 99;
    expect(() => genericCodec.decode(buffer.bytes, 0, length)).toThrow(/unknown tag 99/);
    genericCodec.encode({ a: 1 }, buffer);
    expect(() => genericCodec.decode(buffer.bytes, 0, length + 3)).toThrow(/corrupt record/);
  });

  it("decodes repeated layouts and their look-alikes exactly (same key count and first key, other keys or order)", () => {
    const layouts: Record<string, unknown>[] = [
      { sym: "AAPL", px: 101.25, qty: 100, legs: [{ sym: "MSFT", qty: -50 }, { sym: "NVDA", qty: 5 }] },
      { sym: "AAPL", qty: 100, px: 101.25, legs: [] },
      { sym: "AAPL", px: 1, size: 2, legs: [{ sym: "MSFT", size: -50 }] },
      { sym: "AAPL", 2: "two", 1: "one", legs: null },
      { sym: "AAPL", __proto__x: 1, ["__proto__"]: 2, last: 3 },
      JSON.parse('{"sym": "AAPL", "__proto__": {"polluted": true}, "a": 1, "b": 2}'),
    ];
    // Each layout several times in a row (it is compiled on its second sighting), then all of them interleaved.
    const sequence = [...layouts.flatMap((layout) => [layout, layout, layout]), ...layouts, ...layouts.toReversed()];
    for (const value of sequence) {
      const decoded = roundTrip(value) as Record<string, unknown>;
      expect(decoded).toEqual(value);
      expect(Object.keys(decoded)).toEqual(Object.keys(value));
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("decodes a record with a repeated key (not written by the encoder) the same way every time: the last value wins", () => {
    const a = 0x61;
    const record = new Uint8Array([9, 2, 0, 0, 0, 6, 1, a, 4, 1, 0, 0, 0, 6, 1, a, 4, 2, 0, 0, 0]);
    for (let i = 0; i < 4; i++) expect(genericCodec.decode(record, 0, record.length)).toEqual({ a: 2 });
  });

  it("reports a corrupt value inside a repeated layout", () => {
    const buffer = new ByteBuffer(64);
    const length = genericCodec.encode({ first: 1, second: 2 }, buffer);
    for (let i = 0; i < 3; i++) genericCodec.decode(buffer.bytes, 0, length);
    buffer.bytes[length - 5] = 99; // the second value's tag
    expect(() => genericCodec.decode(buffer.bytes, 0, length)).toThrow(/unknown tag 99/);
  });

  it("decodes from shared memory (ring payloads live in a SharedArrayBuffer)", () => {
    const buffer = new ByteBuffer();
    const value = { text: "non-ascii ✓ text that is longer than the interning limit", tag: "AAPL" };
    const length = genericCodec.encode(value, buffer);
    const shared = new Uint8Array(new SharedArrayBuffer(length + 8));
    shared.set(buffer.bytes.subarray(0, length), 8);
    expect(genericCodec.decode(shared, 8, length)).toEqual(value);
  });

  // Last: it uses up the layouts the codec compiles in this process, which the tests above rely on.
  it("decodes objects whose keys never repeat, beyond the layouts it compiles", () => {
    for (let i = 0; i < 3000; i++) {
      const value = { [`id-${i}`]: i, [`name-${i}`]: `row ${i}` };
      expect(roundTrip(value)).toEqual(value);
      expect(roundTrip(value)).toEqual(value);
    }
  });
});
