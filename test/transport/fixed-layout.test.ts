import { describe, expect, it } from "bun:test";
import { ByteBuffer } from "../../src/transport/byte-buffer.ts";
import { CodecError } from "../../src/transport/codec.ts";
import {
  defineEvent,
  EventType,
  type FieldType,
  fieldTypeProblem,
  type FixedEvent,
  FixedLayoutError,
  isFixedEvent,
} from "../../src/transport/fixed-layout.ts";

const numbers = new EventType(
  defineEvent("Numbers", {
    i8: "i8", u8: "u8", i16: "i16", u16: "u16", i32: "i32", u32: "u32", f32: "f32", f64: "f64", bool: "bool", i64: "i64", u64: "u64",
  }),
  8,
);
const strings = new EventType(defineEvent("Strings", { sym: "ascii(4)", text: "utf8(4)", long: "utf8(60)" }), 9);
const trade = new EventType(defineEvent("Trade", { sym: "ascii(8)", px: "f64", qty: "i64", buy: "bool" }), 10);
const quote = new EventType(defineEvent("Quote", { bid: "f64" }), 11);

/** A flyweight over fresh zeroed memory. */
function fresh(type: EventType): FixedEvent {
  return type.flyweight().wrap(new Uint8Array(type.byteLength), 0);
}

/** Encodes `event` (copying its bytes) and decodes the copy: what the next agent would see. */
function throughCodec(event: FixedEvent): FixedEvent {
  const out = new ByteBuffer(8);
  const length = event.eventType.codec.encode(event, out);
  return event.eventType.codec.decode(out.bytes, 0, length);
}

/** The name and message of what `action` throws, to compare messages exactly on both runners. */
function thrown(action: () => unknown): [string, string] {
  try {
    action();
  } catch (error) {
    return [(error as Error).name, (error as Error).message];
  }
  throw new Error("expected a throw");
}

describe("fixed-layout events", () => {
  it("round-trips every numeric type at its boundaries, wrapping integers like typed arrays", () => {
    const cases: [field: string, written: unknown, read: unknown][] = [
      ["i8", -128, -128], ["i8", 127, 127], ["i8", 128, -128], ["i8", -129, 127], ["i8", 1.9, 1],
      ["u8", 0, 0], ["u8", 255, 255], ["u8", 256, 0], ["u8", -1, 255],
      ["i16", -32768, -32768], ["i16", 32767, 32767], ["i16", 32768, -32768],
      ["u16", 65535, 65535], ["u16", 65536, 0], ["u16", -1, 65535],
      ["i32", -2147483648, -2147483648], ["i32", 2147483647, 2147483647], ["i32", 2147483648, -2147483648],
      ["u32", 4294967295, 4294967295], ["u32", 4294967296, 0], ["u32", -1, 4294967295],
      ["f32", 0.1, Math.fround(0.1)], ["f32", 3.4028234663852886e38, 3.4028234663852886e38], ["f32", 1e39, Infinity], ["f32", NaN, NaN],
      ["f64", NaN, NaN], ["f64", Infinity, Infinity], ["f64", -Infinity, -Infinity], ["f64", -0, -0],
      ["f64", Number.MAX_VALUE, Number.MAX_VALUE], ["f64", Number.MIN_VALUE, Number.MIN_VALUE], ["f64", 0.1, 0.1],
      ["bool", true, true], ["bool", false, false], ["bool", 1, true], ["bool", "", false],
      ["i64", -(2n ** 63n), -(2n ** 63n)], ["i64", 2n ** 63n - 1n, 2n ** 63n - 1n], ["i64", 2n ** 63n, -(2n ** 63n)],
      ["i64", -1, -1n], ["i64", Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)], ["i64", -Number.MAX_SAFE_INTEGER, -BigInt(Number.MAX_SAFE_INTEGER)],
      ["u64", 0n, 0n], ["u64", 2n ** 64n - 1n, 2n ** 64n - 1n], ["u64", -1n, 2n ** 64n - 1n], ["u64", 2n ** 64n, 0n],
      ["u64", Number.MAX_SAFE_INTEGER, BigInt(Number.MAX_SAFE_INTEGER)], ["u64", -1, 2n ** 64n - 1n],
    ];
    for (const [field, written, read] of cases) {
      const event = fresh(numbers);
      event[field] = written;
      for (const seen of [event, throughCodec(event)]) {
        if (!Object.is(seen[field], read)) throw new Error(`${field} = ${String(written)}: read ${String(seen[field])}, expected ${String(read)}`);
      }
    }
  });

  it("keeps neighbouring fields intact when each is written at its extreme", () => {
    const event = fresh(numbers);
    Object.assign(event, { i8: -1, u8: 255, i16: -1, u16: 65535, i32: -1, u32: 4294967295, f32: -1.5, f64: -2.5, bool: true, i64: -1n, u64: 2n ** 64n - 1n });
    event.u8 = 0;
    event.i64 = 0;
    expect(throughCodec(event).toObject()).toEqual({ i8: -1, u8: 0, i16: -1, u16: 65535, i32: -1, u32: 4294967295, f32: -1.5, f64: -2.5, bool: true, i64: 0n, u64: 2n ** 64n - 1n });
  });

  it("refuses i64/u64 values that are neither bigints nor safe integers", () => {
    const event = fresh(numbers);
    expect(thrown(() => (event.i64 = 1.5))).toEqual(["CodecError", "Numbers.i64: expected a bigint or a safe integer, got 1.5, not a safe integer"]);
    expect(thrown(() => (event.u64 = 2 ** 53))).toEqual(["CodecError", "Numbers.u64: expected a bigint or a safe integer, got 9007199254740992, not a safe integer"]);
    expect(thrown(() => (event.i64 = "5"))).toEqual(["CodecError", "Numbers.i64: expected a bigint or a safe integer, got string"]);
  });

  it("truncates ascii(N) to N characters and refuses non-ASCII text", () => {
    const event = fresh(strings);
    const cases: [string, string][] = [["", ""], ["AB", "AB"], ["ABCD", "ABCD"], ["ABCDE", "ABCD"], ["ABCDé", "ABCD"]];
    for (const [written, read] of cases) {
      event.sym = written;
      expect([written, event.sym]).toEqual([written, read]);
      expect(throughCodec(event).sym).toBe(read);
    }
    expect(thrown(() => (event.sym = "Aé"))).toEqual(["CodecError", 'Strings.sym: ascii(4) cannot hold the non-ASCII character "é" (U+00E9); use utf8(N) for such text']);
    expect(thrown(() => (event.sym = "𝄞"))[1]).toContain('"𝄞" (U+1D11E)');
    expect(thrown(() => (event.sym = 42))).toEqual(["CodecError", "Strings.sym: expected a string, got number"]);
  });

  it("truncates utf8(N) to whole code points that fit N bytes", () => {
    const event = fresh(strings);
    const cases: [string, string][] = [
      ["", ""], ["abcd", "abcd"], ["abcde", "abcd"],
      ["abé", "abé"], ["abcé", "abc"], ["é", "é"], ["éé", "éé"], ["ééé", "éé"],
      ["a€", "a€"], ["ab€", "ab"], ["𝄞", "𝄞"], ["a𝄞", "a"], ["𝄞a", "𝄞"],
      ["\ud800", "\ufffd"], ["a\udc00b", "a\ufffd"],
    ];
    for (const [written, read] of cases) {
      event.text = written;
      expect([written, event.text]).toEqual([written, read]);
      expect(throughCodec(event).text).toBe(read);
    }
    const long = "a longer text ✓ that the interning table does not hold";
    event.long = long;
    expect(throughCodec(event).long).toBe(long);
    expect(thrown(() => (event.text = null))).toEqual(["CodecError", "Strings.text: expected a string, got null"]);
  });

  it("decodes into one reused flyweight that a handler must copy to keep", () => {
    const first = new ByteBuffer(64);
    const second = new ByteBuffer(64);
    trade.codec.encode({ sym: "AAPL", px: 1.5, qty: 10n, buy: true }, first);
    trade.codec.encode({ sym: "MSFT", px: 2.5, qty: 20, buy: false }, second);
    const a = trade.codec.decode(first.bytes, 0, trade.byteLength);
    const copy = a.toObject();
    const b = trade.codec.decode(second.bytes, 0, trade.byteLength);
    expect(b).toBe(a);
    expect(a.sym).toBe("MSFT");
    expect(copy).toEqual({ sym: "AAPL", px: 1.5, qty: 10n, buy: true });
    expect(Object.keys(b.toObject())).toEqual(["sym", "px", "qty", "buy"]);
    expect(isFixedEvent(b)).toBe(true);
    expect(isFixedEvent(copy)).toBe(false);
    expect(b.eventType).toBe(trade);
  });

  it("serializes i64/u64 as numbers when safe and as decimal strings otherwise", () => {
    const event = fresh(numbers);
    event.i64 = -(2n ** 53n) + 1n;
    event.u64 = 2n ** 64n - 1n;
    expect(event.toJSON()).toMatchObject({ i64: -(2 ** 53) + 1, u64: "18446744073709551615" });
    event.i64 = 2n ** 53n;
    expect(JSON.parse(JSON.stringify(event)).i64).toBe("9007199254740992");
    expect(event.toObject().i64).toBe(2n ** 53n);
  });

  it("encodes a plain object only with exactly the declared fields of the right kinds", () => {
    const out = new ByteBuffer(8);
    const valid = { sym: "AAPL", px: 1.5, qty: 3, buy: true };
    expect(trade.codec.encode(valid, out)).toBe(trade.byteLength);
    expect(trade.codec.decode(out.bytes, 0, trade.byteLength).toObject()).toEqual({ ...valid, qty: 3n });
    const cases: [unknown, string][] = [
      [{ sym: "AAPL", qty: 3, buy: true }, "Trade.px: missing (expected a number)"],
      [{ ...valid, px: "1.5" }, "Trade.px: expected a number, got string"],
      [{ ...valid, buy: 1 }, "Trade.buy: expected a boolean, got number"],
      [{ ...valid, sym: null }, "Trade.sym: expected a string, got null"],
      [{ ...valid, qty: 1.5 }, "Trade.qty: expected a bigint or a safe integer, got 1.5, not a safe integer"],
      [{ ...valid, qty: "3" }, "Trade.qty: expected a bigint or a safe integer, got string"],
      [{ ...valid, venue: "X" }, "Trade.venue: not a field of Trade"],
      [{ ...valid, sym: "ÄPPL" }, 'Trade.sym: ascii(8) cannot hold the non-ASCII character "Ä" (U+00C4); use utf8(N) for such text'],
      ["AAPL", "Trade: expected a Trade flyweight or a plain object, got string"],
      [null, "Trade: expected a Trade flyweight or a plain object, got null"],
      [[1.5], "Trade: expected a Trade flyweight or a plain object, got an array"],
      [fresh(quote), "Trade: cannot encode a Quote event (codec 11) with the Trade codec (10)"],
      [fresh(new EventType(trade.spec, 99)), "Trade: cannot encode a Trade event (codec 99) with the Trade codec (10)"],
      [trade.flyweight(), "Trade: cannot encode a flyweight that has not been wrapped"],
    ];
    for (const [value, message] of cases) {
      expect(thrown(() => trade.codec.encode(value as Record<string, unknown>, out))).toEqual(["CodecError", message]);
    }
    expect(() => trade.codec.encode({ ...valid, px: "x" }, out)).toThrow(CodecError);
  });

  it("encodes a flyweight by copying its bytes exactly, NaN payloads included", () => {
    const ring = new Uint8Array(new SharedArrayBuffer(384 + 256), 384, 256);
    const event = trade.flyweight().wrap(ring, 64);
    Object.assign(event, { sym: "NVDA", qty: -7n, buy: true });
    new DataView(ring.buffer, ring.byteOffset).setUint32(64 + 4, 0x7ff00bad, true); // px: a NaN with a payload
    const out = new ByteBuffer(8);
    expect(trade.codec.encode(event, out)).toBe(trade.byteLength);
    expect(Array.from(out.bytes.subarray(0, trade.byteLength))).toEqual(Array.from(ring.subarray(64, 64 + trade.byteLength)));
    expect(trade.codec.decode(out.bytes, 0, trade.byteLength).toObject()).toEqual({ sym: "NVDA", px: NaN, qty: -7n, buy: true });
  });

  it("refuses a payload of the wrong length", () => {
    const bytes = new Uint8Array(64);
    expect(thrown(() => trade.codec.decode(bytes, 0, trade.byteLength - 1))).toEqual(["CodecError", `Trade: expected a ${trade.byteLength}-byte payload, got ${trade.byteLength - 1} bytes`]);
  });

  it("aligns every numeric field to its size and rounds the length up to 8", () => {
    const sizes: Record<string, number> = { f64: 8, i64: 8, u64: 8, f32: 4, i32: 4, u32: 4, i16: 2, u16: 2, i8: 1, u8: 1, bool: 1 };
    const fields: Record<string, FieldType> = { a: "u8", b: "utf8(3)", c: "i16", d: "f64", e: "bool", f: "u32", g: "ascii(5)", h: "i64", i: "f32", j: "u16", k: "i8", l: "u64", m: "i32" };
    const type = new EventType(defineEvent("Mixed", fields), 12);
    expect(type.fields.map((field) => field.name)).toEqual(Object.keys(fields));
    let end = 0;
    for (const field of [...type.fields].sort((x, y) => x.offset - y.offset)) {
      const size = sizes[field.type] ?? 1 + Number(/\((\d+)\)/.exec(field.type)![1]);
      if (field.type in sizes) expect([field.name, field.offset % size]).toEqual([field.name, 0]);
      expect(field.offset).toBeGreaterThanOrEqual(end);
      end = field.offset + size;
    }
    expect(type.byteLength % 8).toBe(0);
    expect(type.byteLength).toBeGreaterThanOrEqual(end);
    expect(type.byteLength).toBeLessThan(end + 8);

    const small = new EventType(defineEvent("Small", { flag: "bool", px: "f64", n: "i16", sym: "ascii(3)" }), 13);
    expect(small.fields.map(({ name, offset }) => [name, offset])).toEqual([["flag", 10], ["px", 0], ["n", 8], ["sym", 11]]);
    expect(small.byteLength).toBe(16);
    expect(small.codec.fixedLength).toBe(16);
    expect(small.codec.id).toBe(13);
  });

  it("wraps 8-aligned payloads inside a ring's shared memory and refuses misaligned ones", () => {
    const shared = new SharedArrayBuffer(384 + 1024);
    const ring = new Uint8Array(shared, 384, 1024);
    const view = new DataView(shared);
    const event = trade.flyweight().wrap(ring, 8 * 13);
    Object.assign(event, { sym: "AMZN", px: 123.25, qty: 2n ** 40n, buy: true });
    const px = trade.fields.find((field) => field.name === "px")!.offset;
    expect(view.getFloat64(384 + 8 * 13 + px, true)).toBe(123.25);
    expect(trade.codec.decode(ring, 8 * 13, trade.byteLength).toObject()).toEqual({ sym: "AMZN", px: 123.25, qty: 2n ** 40n, buy: true });

    // One flyweight moving between arrays (views are cached per array).
    const elsewhere = new Uint8Array(64);
    trade.flyweight().wrap(elsewhere, 0).px = 9;
    expect([event.wrap(ring, 8 * 13).px, event.wrap(elsewhere, 0).px, event.wrap(ring, 8 * 13).px]).toEqual([123.25, 9, 123.25]);

    expect(thrown(() => event.wrap(ring, 4))).toEqual(["RangeError", "Trade: cannot wrap offset 4 of a 1024-byte array: the payload must start at an 8-byte aligned address"]);
    expect(thrown(() => event.wrap(ring, 1024 - 8))[1]).toContain(`needs ${trade.byteLength} bytes at a non-negative integer offset`);
    expect(thrown(() => event.wrap(ring, -8))[0]).toBe("RangeError");
    expect(thrown(() => event.wrap(ring, 8.5))[0]).toBe("RangeError");
    // A window that starts off alignment: what matters is the address of the payload.
    const odd = new Uint8Array(shared, 388, 512);
    expect(event.wrap(odd, 4 + 8 * 12).px).toBe(123.25);
    expect(thrown(() => event.wrap(odd, 8 * 12))[0]).toBe("RangeError");
  });

  it("validates definitions with a clear message", () => {
    const cases: [() => unknown, string][] = [
      [() => defineEvent("", { a: "u8" }), 'event type name "" must be a letter followed by letters, digits or _'],
      [() => defineEvent("1Trade", { a: "u8" }), 'event type name "1Trade" must be a letter followed by letters, digits or _'],
      [() => defineEvent("Tr-ade", { a: "u8" }), 'event type name "Tr-ade" must be a letter followed by letters, digits or _'],
      [() => defineEvent("Trade", null as never), "Trade: fields must be an object mapping field names to types"],
      [() => defineEvent("Trade", {}), "Trade: an event type needs at least one field"],
      [() => defineEvent("Trade", { _p: "u8" }), "Trade._p: a field name must be a letter followed by letters, digits or _"],
      [() => defineEvent("Trade", { "a b": "u8" }), "Trade.a b: a field name must be a letter followed by letters, digits or _"],
      [() => defineEvent("Trade", { px: "float" as FieldType }), 'Trade.px: unknown field type "float" (expected one of f64, i64, u64, f32, i32, u32, i16, u16, i8, u8, bool, ascii(N), utf8(N))'],
      [() => defineEvent("Trade", { sym: "ascii(0)" }), "Trade.sym: ascii(0): the capacity must be 1..255 bytes"],
      [() => defineEvent("Trade", { sym: "utf8(256)" }), "Trade.sym: utf8(256): the capacity must be 1..255 bytes"],
      [() => defineEvent("Trade", { px: 8 as never }), "Trade.px: a field type must be a string, got number"],
      [() => new EventType(defineEvent("Trade", { a: "u8" }), 3), "Trade: codec id must be an integer 8..255, got 3"],
      [() => new EventType(defineEvent("Trade", { a: "u8" }), 256), "Trade: codec id must be an integer 8..255, got 256"],
      [() => new EventType({ name: "Trade", fields: {} }, 8), "Trade: an event type needs at least one field"],
    ];
    for (const [action, message] of cases) expect(thrown(action)).toEqual(["FixedLayoutError", message]);
    for (const name of ["wrap", "toObject", "toJSON", "eventType", "then", "constructor", "toString", "hasOwnProperty"]) {
      expect(thrown(() => defineEvent("Trade", { [name]: "u8" }))).toEqual(["FixedLayoutError", `Trade.${name}: the name is taken by a flyweight method or property`]);
    }
    expect(() => defineEvent("Trade", {})).toThrow(FixedLayoutError);
  });

  it("checks field type strings for config validation", () => {
    for (const type of ["f64", "u64", "bool", "ascii(1)", "utf8(255)"]) expect(fieldTypeProblem(type)).toBeUndefined();
    expect(fieldTypeProblem("ascii(x)")).toContain('unknown field type "ascii(x)"');
    expect(fieldTypeProblem("ascii(300)")).toBe("ascii(300): the capacity must be 1..255 bytes");
    expect(fieldTypeProblem(undefined)).toBe("a field type must be a string, got undefined");
  });

  it("builds the same layout from a spec that crossed a thread as plain data", () => {
    const spec = structuredClone(trade.spec);
    const copy = new EventType(spec, 200);
    expect(copy.fields).toEqual(trade.fields);
    expect(copy.byteLength).toBe(trade.byteLength);
    expect(Object.isFrozen(trade.spec.fields)).toBe(true);
  });
});
