/**
 * Recurring object layouts for the generic codec's decoder. Events of one feed mostly share their keys, in
 * the same order; once a key sequence has been seen twice, its objects are built by one object literal
 * made for it (all properties at once, the engine's fast path for a fixed layout) instead of a keyed store
 * per property. The literal checks each key's encoded bytes as it goes, so a different object that merely
 * looks alike (same key count and first key) throws {@link KEY_MISMATCH} and the decoder starts that
 * object over the slow way.
 *
 * Bounded against data whose keys never repeat (maps keyed by ids): a layout is compiled only on its
 * second sighting in a row, a slot whose layouts keep changing stops compiling, and a decoder compiles at
 * most {@link MAX_COMPILED} layouts in all.
 *
 * @module
 */

/** Thrown by {@link ShapeReader.key} when the bytes are not the expected key. */
export const KEY_MISMATCH = Symbol("key mismatch");

/** What a compiled layout reads from: the decoder. */
export interface ShapeReader {
  /** Skips the key at the read position if it is `expected` (its encoded bytes), else throws {@link KEY_MISMATCH}. */
  key(expected: Uint8Array): void;
  /** Decodes the value at the read position. */
  value(): unknown;
}

/** One compiled layout. */
export interface ObjectShape {
  readonly fingerprint: number;
  build(reader: ShapeReader): Record<string, unknown>;
}

const SLOTS = 256;
/** Objects with more keys are always decoded property by property. */
const MAX_KEYS = 64;
/** Keys longer than this (in UTF-16 units) are not short strings on the wire: their layouts are not compiled. */
const MAX_KEY_UNITS = 85;
const MAX_COMPILED = 1024;
/** A slot whose layout was replaced this many times stops compiling (layouts alternate there). */
const MAX_REPLACED = 4;
const textEncoder = new TextEncoder();

/**
 * @example
 * ```ts
 * const shapes = new ObjectShapes(TAG_SHORT_STRING);
 * const fingerprint = shapes.fingerprint(bytes, firstKeyAt, count);
 * const shape = shapes.lookup(fingerprint); // then shape.build(decoder), or decode slowly and:
 * shapes.learn(fingerprint, count, decodedObject);
 * ```
 */
export class ObjectShapes {
  private readonly shapes: (ObjectShape | undefined)[] = new Array(SLOTS);
  /** The fingerprint last seen, per slot, without a compiled layout: compiled when it comes again. */
  private readonly candidates = new Float64Array(SLOTS).fill(-1);
  /** Layouts compiled per slot. */
  private readonly compiledIn = new Uint8Array(SLOTS);
  private compiled = 0;

  /** @param shortStringTag the codec's tag of a short string (u8 byte length + UTF-8): how keys are written. */
  constructor(private readonly shortStringTag: number) {}

  /**
   * A hash of the key count and the first key's bytes (at `at`), or -1 for objects never compiled (no keys,
   * too many keys, a first key that is not a short string).
   */
  fingerprint(bytes: Uint8Array, at: number, count: number): number {
    if (count === 0 || count > MAX_KEYS || bytes[at] !== this.shortStringTag) return -1;
    const length = bytes[at + 1];
    let hash = Math.imul(count ^ 0x9e3779b1, 0x85ebca6b) ^ length;
    for (let i = 0; i < length; i++) hash = Math.imul(hash ^ bytes[at + 2 + i], 0x01000193);
    return hash >>> 0;
  }

  /** The compiled layout for `fingerprint`, if there is one. */
  lookup(fingerprint: number): ObjectShape | undefined {
    const shape = this.shapes[fingerprint & (SLOTS - 1)];
    return shape !== undefined && shape.fingerprint === fingerprint ? shape : undefined;
  }

  /** The layout of `fingerprint` did not match an object: it is dropped (and compiled again if it comes back). */
  mismatched(fingerprint: number): void {
    const slot = fingerprint & (SLOTS - 1);
    this.shapes[slot] = undefined;
    this.candidates[slot] = -1;
  }

  /**
   * `object` was decoded the slow way from `count` (key, value) pairs: its layout is compiled if the slot
   * saw the same fingerprint just before.
   */
  learn(fingerprint: number, count: number, object: Record<string, unknown>): void {
    if (fingerprint < 0 || this.compiled >= MAX_COMPILED) return;
    const slot = fingerprint & (SLOTS - 1);
    if (this.candidates[slot] !== fingerprint) {
      this.candidates[slot] = fingerprint;
      return;
    }
    if (this.compiledIn[slot] > MAX_REPLACED) return;
    const keys = Object.keys(object);
    // A key repeated on the wire (never written by the encoder) leaves fewer properties than pairs.
    if (keys.length !== count) return;
    let shape: ObjectShape | undefined;
    try {
      shape = compile(fingerprint, keys, this.shortStringTag);
    } catch {
      // Code generation from strings is disabled in this runtime: every object is decoded the slow way.
      this.compiled = MAX_COMPILED;
      return;
    }
    if (shape === undefined) return;
    this.compiledIn[slot]++;
    this.shapes[slot] = shape;
    this.candidates[slot] = -1;
    this.compiled++;
  }
}

/** The object literal for `keys`, each property checking its key's bytes first; undefined if a key cannot be in one. */
function compile(fingerprint: number, keys: string[], shortStringTag: number): ObjectShape | undefined {
  const encodedKeys: Uint8Array[] = [];
  for (const key of keys) {
    // "__proto__" in a literal sets the prototype; other keys are written in the long or UTF-16 forms.
    if (key === "__proto__" || key.length > MAX_KEY_UNITS || !key.isWellFormed()) return undefined;
    const utf8 = textEncoder.encode(key);
    const encoded = new Uint8Array(2 + utf8.length);
    encoded[0] = shortStringTag;
    encoded[1] = utf8.length;
    encoded.set(utf8, 2);
    encodedKeys.push(encoded);
  }
  // JSON.stringify quotes any well-formed key as a valid JavaScript string literal. Properties are
  // evaluated in order, as they are on the wire.
  const properties = keys.map((key, i) => `${JSON.stringify(key)}: (reader.key(keys[${i}]), reader.value())`).join(", ");
  const build = new Function("keys", `return function build(reader) { return { ${properties} }; };`)(encodedKeys);
  return { fingerprint, build };
}
