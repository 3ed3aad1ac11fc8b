/**
 * Field types of fixed-layout events: parsing the type names, placing fields in the payload, and the
 * JavaScript source of each field's getter and setter (compiled per event type by `fixed-layout.ts`).
 *
 * Storage (little-endian, like the typed arrays it is accessed through):
 * - numbers at their natural alignment; `bool` is a u8 0/1; i64/u64 are 8 bytes read and written as bigint;
 * - `ascii(N)` / `utf8(N)`: a u8 byte length followed by N bytes of capacity.
 *
 * @module
 */

/**
 * Field type names. i64/u64 read and write as bigint. ascii(N)/utf8(N): fixed capacity of N bytes (1..255).
 *
 * @example
 * ```ts
 * const fields: Record<string, FieldType> = { px: "f64", qty: "i64", sym: "ascii(8)", note: "utf8(32)" };
 * ```
 */
export type FieldType =
  | "f64" | "f32" | "i32" | "u32" | "i16" | "u16" | "i8" | "u8" | "bool" | "i64" | "u64"
  | `ascii(${number})` | `utf8(${number})`;

/** A field's place in the payload. */
export interface FieldLayout {
  readonly name: string;
  readonly type: FieldType;
  /** Byte offset inside the payload; a multiple of the field's size for numeric fields. */
  readonly offset: number;
}

/** What a field type needs: its bytes in the payload, its alignment, and for strings the capacity. */
interface FieldKind {
  readonly kind: string;
  readonly size: number;
  readonly align: number;
  readonly capacity: number;
}

const NUMERIC: Readonly<Record<string, FieldKind>> = {
  f64: { kind: "f64", size: 8, align: 8, capacity: 0 },
  i64: { kind: "i64", size: 8, align: 8, capacity: 0 },
  u64: { kind: "u64", size: 8, align: 8, capacity: 0 },
  f32: { kind: "f32", size: 4, align: 4, capacity: 0 },
  i32: { kind: "i32", size: 4, align: 4, capacity: 0 },
  u32: { kind: "u32", size: 4, align: 4, capacity: 0 },
  i16: { kind: "i16", size: 2, align: 2, capacity: 0 },
  u16: { kind: "u16", size: 2, align: 2, capacity: 0 },
  i8: { kind: "i8", size: 1, align: 1, capacity: 0 },
  u8: { kind: "u8", size: 1, align: 1, capacity: 0 },
  bool: { kind: "bool", size: 1, align: 1, capacity: 0 },
};
const STRING_TYPE = /^(ascii|utf8)\((\d+)\)$/;
const MAX_CAPACITY = 255;

/** The kind of a field type, or a sentence saying what is wrong with it. */
function parseFieldType(type: unknown): FieldKind | string {
  if (typeof type !== "string") return `a field type must be a string, got ${type === null ? "null" : typeof type}`;
  if (Object.hasOwn(NUMERIC, type)) return NUMERIC[type];
  const string = STRING_TYPE.exec(type);
  if (string === null) {
    return `unknown field type "${type}" (expected one of ${Object.keys(NUMERIC).join(", ")}, ascii(N), utf8(N))`;
  }
  const capacity = Number(string[2]);
  if (capacity < 1 || capacity > MAX_CAPACITY) return `${type}: the capacity must be 1..${MAX_CAPACITY} bytes`;
  return { kind: string[1], size: 1 + capacity, align: 1, capacity };
}

/**
 * Parses one field type string, for config validation: returns an error message or undefined.
 *
 * @example
 * ```ts
 * fieldTypeProblem("f64"); // undefined
 * fieldTypeProblem("ascii(300)"); // "ascii(300): the capacity must be 1..255 bytes"
 * ```
 */
export function fieldTypeProblem(type: unknown): string | undefined {
  const parsed = parseFieldType(type);
  return typeof parsed === "string" ? parsed : undefined;
}

/** Placement order: 8-, 4-, 2-, 1-byte numbers, then strings (which need no alignment). */
const rank = (kind: FieldKind) => (kind.capacity > 0 ? 4 : 3 - Math.log2(kind.align));

/**
 * Places validated fields so each numeric field is aligned to its size when the payload starts at an
 * 8-aligned address; the payload length is rounded up to 8 so records stay aligned too.
 *
 * @example
 * ```ts
 * const { fields, byteLength } = layoutFields({ flag: "bool", px: "f64" });
 * fields.map((f) => `${f.name}@${f.offset}`); // ["px@0", "flag@8"]; byteLength is 16
 * ```
 */
export function layoutFields(fields: Readonly<Record<string, FieldType>>): { fields: FieldLayout[]; byteLength: number } {
  const kinds = Object.entries(fields).map(([name, type]) => ({ name, type, kind: parseFieldType(type) as FieldKind }));
  kinds.sort((a, b) => rank(a.kind) - rank(b.kind));
  let offset = 0;
  const placed = kinds.map(({ name, type, kind }) => {
    const field: FieldLayout = Object.freeze({ name, type, offset });
    offset += kind.size;
    return field;
  });
  return { fields: placed, byteLength: (offset + 7) & ~7 };
}

/**
 * Getter and setter source for one field, as class members. `this._p` is the payload's byte position in
 * the typed views (`this._f64`, `this._u8`, …), `this._o` its offset in `this._bytes`. `where` is
 * "Type.field", quoted into error messages. Names the generated code expects in scope: readUtf8,
 * writeUtf8Capped, notString, notAscii, notInt64.
 *
 * @example
 * ```ts
 * accessorSource({ name: "px", type: "f64", offset: 8 }, "Trade.px");
 * // "get px() { return this._f64[(this._p + 8) >> 3]; }\nset px(v) { this._f64[(this._p + 8) >> 3] = v; }\n"
 * ```
 */
export function accessorSource(field: FieldLayout, where: string): string {
  const { name, offset } = field;
  const kind = parseFieldType(field.type) as FieldKind;
  const quoted = JSON.stringify(where);
  const at = `this._p + ${offset}`;
  const member = (get: string, set: string) => `get ${name}() { ${get} }\nset ${name}(v) { ${set} }\n`;
  switch (kind.kind) {
    case "bool":
      return member(`return this._u8[${at}] !== 0;`, `this._u8[${at}] = v ? 1 : 0;`);
    case "i64":
    case "u64": {
      // A number is stored as two 32-bit words: converting it to a bigint first would allocate.
      const index = `(${at}) >> 3`;
      return member(
        `return this._${kind.kind}[${index}];`,
        `if (typeof v === "bigint") this._${kind.kind}[${index}] = v;
        else if (Number.isSafeInteger(v)) { const w = (${at}) >> 2; this._u32[w] = v; this._u32[w + 1] = Math.floor(v / 4294967296); }
        else notInt64(${quoted}, v);`,
      );
    }
    case "ascii":
      return member(
        `return readUtf8(this._bytes, this._o + ${offset + 1}, this._u8[${at}]);`,
        `if (typeof v !== "string") notString(${quoted}, v);
        const u8 = this._u8, at = ${at} + 1, n = v.length < ${kind.capacity} ? v.length : ${kind.capacity};
        for (let i = 0; i < n; i++) { const c = v.charCodeAt(i); if (c > 127) notAscii(${quoted}, "${field.type}", v, i); u8[at + i] = c; }
        u8[at - 1] = n;`,
      );
    case "utf8":
      return member(
        `return readUtf8(this._bytes, this._o + ${offset + 1}, this._u8[${at}]);`,
        `if (typeof v !== "string") notString(${quoted}, v);
        this._u8[${at}] = writeUtf8Capped(v, this._u8, ${at} + 1, ${kind.capacity});`,
      );
    default: {
      const index = kind.size === 1 ? at : `(${at}) >> ${Math.log2(kind.size)}`;
      return member(`return this._${kind.kind}[${index}];`, `this._${kind.kind}[${index}] = v;`);
    }
  }
}

/**
 * Writes the longest prefix of `text` made of whole code points that fits `capacity` bytes as UTF-8 at
 * `bytes[at]`; returns the bytes written. Lone surrogates become U+FFFD, as with TextEncoder.
 *
 * @example
 * ```ts
 * writeUtf8Capped("héllo", new Uint8Array(8), 0, 2); // 1: "h", since "é" needs 2 more bytes
 * ```
 */
export function writeUtf8Capped(text: string, bytes: Uint8Array, at: number, capacity: number): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      if (n === capacity) break;
      bytes[at + n++] = c;
    } else if (c < 0x800) {
      if (n + 2 > capacity) break;
      bytes[at + n++] = 0xc0 | (c >> 6);
      bytes[at + n++] = 0x80 | (c & 0x3f);
    } else {
      const next = text.charCodeAt(i + 1);
      if (c >= 0xd800 && c < 0xdc00 && next >= 0xdc00 && next < 0xe000) {
        if (n + 4 > capacity) break;
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        bytes[at + n++] = 0xf0 | (c >> 18);
        bytes[at + n++] = 0x80 | ((c >> 12) & 0x3f);
        bytes[at + n++] = 0x80 | ((c >> 6) & 0x3f);
        bytes[at + n++] = 0x80 | (c & 0x3f);
        i++;
        continue;
      }
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      if (n + 3 > capacity) break;
      bytes[at + n++] = 0xe0 | (c >> 12);
      bytes[at + n++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[at + n++] = 0x80 | (c & 0x3f);
    }
  }
  return n;
}
