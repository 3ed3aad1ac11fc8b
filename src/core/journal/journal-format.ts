/**
 * The journal's byte format, shared by the writer and the reader.
 *
 * A journal file is a header, then records. All numbers are little-endian.
 *
 * Header: magic `MGJOURNL` (8 bytes) | u16 format version | u16 handler-name byte length | f64 the server
 * clock's epoch (`epochOriginMs`: wall-clock ms at `clock.nanos() === 0`) | handler name (UTF-8) | u32 CRC-32
 * of everything before it.
 *
 * Record: u32 payload length | u32 CRC-32 of the payload | payload. Payload: u8 kind | f64 clockNanos |
 * f64 epochMillis | by kind:
 * - start: f64 seed | value (the configMap)
 * - event: f64 sequence | f64 publishedNanos | f64 publishedEpochMillis | u16 feed-name byte length |
 *   feed name (UTF-8) | value
 * - timer: u32 ordinal
 * - config: value (the whole configMap after the update)
 *
 * Value: u8 encoding | bytes to the end of the payload. Encoding 1 is the generic codec
 * (src/transport/generic-codec.ts): measured 1.4-7× cheaper than JSON text to encode objects and arrays
 * and 1.3-5× to decode them, a plain string about as cheap or cheaper (bench/journal-value-encoding.ts,
 * results in bench/results/journal.md; a string as bare UTF-8 gained nothing reliable), and exact for
 * NaN, -0, bigints, undefined and binary. Encoding 2 is JSON text, for values the generic codec refuses (class
 * instances such as a Date from an in-process feed); encoding 3 holds only the reason a value could be
 * neither (a cycle), as UTF-8. A fixed-layout event is recorded as its field values (`toObject()`).
 *
 * @module
 */
import { ByteBuffer } from "../../transport/byte-buffer.ts";
import { genericCodec } from "../../transport/generic-codec.ts";
import { isFixedEvent } from "../../transport/fixed-layout.ts";
import { crc32 } from "./crc32.ts";
import type { JournalEntry } from "./journal-entry.ts";

/** The first 8 bytes of every journal file. */
export const JOURNAL_MAGIC = "MGJOURNL";
/** The format version this code writes and reads. */
export const JOURNAL_FORMAT_VERSION = 1;
/** u32 length + u32 CRC before each payload. */
export const RECORD_FRAME_BYTES = 8;
/** No payload is longer (a length beyond it is a torn or corrupt frame, not a huge record). */
export const MAX_RECORD_BYTES = 1 << 30;

export const RecordKind = { start: 1, event: 2, timer: 3, config: 4 } as const;
const VALUE_GENERIC = 1;
const VALUE_JSON = 2;
const VALUE_UNRECORDED = 3;
/** kind + clockNanos + epochMillis. */
const COMMON_BYTES = 17;
const MAGIC_BYTES = new TextEncoder().encode(JOURNAL_MAGIC);
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The decoded header of a journal file. */
export interface JournalHeader {
  version: number;
  handler: string;
  /** Wall-clock ms of the server clock's zero. */
  epochOriginMs: number;
  /** Bytes the header takes: the first record starts here. */
  length: number;
}

/**
 * The header bytes of a new journal file of `handler`.
 *
 * @example
 * ```ts
 * writeSync(fd, encodeHeader("pnl", performance.timeOrigin));
 * ```
 */
export function encodeHeader(handler: string, epochOriginMs: number): Uint8Array {
  const name = textEncoder.encode(handler);
  const bytes = new Uint8Array(20 + name.length + 4);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC_BYTES, 0);
  view.setUint16(8, JOURNAL_FORMAT_VERSION, true);
  view.setUint16(10, name.length, true);
  view.setFloat64(12, epochOriginMs, true);
  bytes.set(name, 20);
  view.setUint32(20 + name.length, crc32(bytes, 0, 20 + name.length), true);
  return bytes;
}

/** Not a journal file, or one of a format version this code cannot read. */
export class JournalFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JournalFormatError";
  }
}

/**
 * The header at the start of `bytes`; undefined if the bytes end inside it or its CRC does not match (a
 * file torn while its header was written). Throws {@link JournalFormatError} for another magic or version.
 *
 * @example
 * ```ts
 * decodeHeader(readFileSync("journal/pnl/0000000001.journal"))?.handler; // "pnl"
 * ```
 */
export function decodeHeader(bytes: Uint8Array): JournalHeader | undefined {
  const magic = Math.min(bytes.length, MAGIC_BYTES.length);
  for (let i = 0; i < magic; i++) if (bytes[i] !== MAGIC_BYTES[i]) throw new JournalFormatError(`not a journal file (it does not start with "${JOURNAL_MAGIC}")`);
  if (bytes.length < 20) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(8, true);
  if (version !== JOURNAL_FORMAT_VERSION) throw new JournalFormatError(`journal format version ${version}; this build reads version ${JOURNAL_FORMAT_VERSION}`);
  const nameLength = view.getUint16(10, true);
  const length = 20 + nameLength + 4;
  if (bytes.length < length || view.getUint32(20 + nameLength, true) !== crc32(bytes, 0, 20 + nameLength)) return undefined;
  return { version, handler: textDecoder.decode(bytes.subarray(20, 20 + nameLength)), epochOriginMs: view.getFloat64(12, true), length };
}

/**
 * Appends framed records to a growing buffer, reused from flush to flush. Encoding an event allocates
 * only what encoding its value does (feed names are encoded once and kept).
 *
 * @example
 * ```ts
 * const records = new JournalRecords();
 * records.timer(3, clock.nanos(), clock.epochMillis());
 * writeSync(fd, records.bytes, 0, records.length);
 * records.clear();
 * ```
 */
export class JournalRecords {
  private buffer = new ByteBuffer(64 * 1024);
  private readonly scratch = new ByteBuffer(1024);
  private readonly feedNames = new Map<string, Uint8Array>();
  /** Bytes of records held. */
  length = 0;
  private recordStart = 0;

  /** The buffer holding the records: `bytes[0, length)`. Re-read after appending (it may grow). */
  get bytes(): Uint8Array {
    return this.buffer.bytes;
  }

  clear(): void {
    this.length = 0;
  }

  start(seed: number, config: Record<string, unknown>, clockNanos: number, epochMillis: number): void {
    this.begin(RecordKind.start, clockNanos, epochMillis, 8);
    this.buffer.view.setFloat64(this.length, seed, true);
    this.length += 8;
    this.value(config);
    this.end();
  }

  event(feed: string, sequence: number, publishedNanos: number, publishedEpochMillis: number, value: unknown, clockNanos: number, epochMillis: number): void {
    const name = this.feedName(feed);
    this.begin(RecordKind.event, clockNanos, epochMillis, 26 + name.length);
    const view = this.buffer.view;
    let at = this.length;
    view.setFloat64(at, sequence, true);
    view.setFloat64(at + 8, publishedNanos, true);
    view.setFloat64(at + 16, publishedEpochMillis, true);
    view.setUint16(at + 24, name.length, true);
    at += 26;
    const bytes = this.buffer.bytes;
    for (let i = 0; i < name.length; i++) bytes[at + i] = name[i];
    this.length = at + name.length;
    this.value(value);
    this.end();
  }

  timer(ordinal: number, clockNanos: number, epochMillis: number): void {
    this.begin(RecordKind.timer, clockNanos, epochMillis, 4);
    this.buffer.view.setUint32(this.length, ordinal, true);
    this.length += 4;
    this.end();
  }

  config(config: Record<string, unknown>, clockNanos: number, epochMillis: number): void {
    this.begin(RecordKind.config, clockNanos, epochMillis, 0);
    this.value(config);
    this.end();
  }

  /** Opens a record: frame, kind and clock, with room for `fixed` more bytes. */
  private begin(kind: number, clockNanos: number, epochMillis: number, fixed: number): void {
    this.recordStart = this.length;
    this.buffer.ensure(this.length + RECORD_FRAME_BYTES + COMMON_BYTES + fixed);
    const view = this.buffer.view;
    const at = this.length + RECORD_FRAME_BYTES;
    view.setUint8(at, kind);
    view.setFloat64(at + 1, clockNanos, true);
    view.setFloat64(at + 9, epochMillis, true);
    this.length = at + COMMON_BYTES;
  }

  /** Closes the record: its length and CRC go into its frame. */
  private end(): void {
    const start = this.recordStart;
    const payload = start + RECORD_FRAME_BYTES;
    const view = this.buffer.view;
    view.setUint32(start, this.length - payload, true);
    view.setUint32(start + 4, crc32(this.buffer.bytes, payload, this.length), true);
  }

  private value(value: unknown): void {
    const scratch = this.scratch;
    let encoding = VALUE_GENERIC;
    let length: number;
    let bytes: Uint8Array;
    try {
      length = genericCodec.encode(isFixedEvent(value) ? value.toObject() : value, scratch);
      bytes = scratch.bytes;
    } catch (refused) {
      ({ encoding, bytes } = fallback(value, refused));
      length = bytes.length;
    }
    this.buffer.ensure(this.length + 1 + length);
    const target = this.buffer.bytes;
    target[this.length] = encoding;
    const at = this.length + 1;
    // Most values are short: a loop copies them without making a view for `set`.
    if (length <= 64) for (let i = 0; i < length; i++) target[at + i] = bytes[i];
    else target.set(bytes.subarray(0, length), at);
    this.length = at + length;
  }

  private feedName(feed: string): Uint8Array {
    let name = this.feedNames.get(feed);
    if (name === undefined) {
      name = textEncoder.encode(feed);
      if (name.length > 0xffff) name = name.subarray(0, 0xffff);
      this.feedNames.set(feed, name);
    }
    return name;
  }
}

/** JSON text for a value the generic codec refused; else the reason neither could record it. */
function fallback(value: unknown, refused: unknown): { encoding: number; bytes: Uint8Array } {
  try {
    const text = JSON.stringify(value, (_key, item) => typeof item === "bigint" ? item.toString() : item);
    if (text !== undefined) return { encoding: VALUE_JSON, bytes: textEncoder.encode(text) };
  } catch (error) {
    return { encoding: VALUE_UNRECORDED, bytes: textEncoder.encode(`${(refused as Error).message}; as JSON: ${(error as Error).message}`) };
  }
  return { encoding: VALUE_UNRECORDED, bytes: textEncoder.encode((refused as Error).message) };
}

/**
 * The entry of the payload at `bytes[offset, offset + length)` (its frame already checked).
 *
 * @example
 * ```ts
 * const entry = decodeRecord(bytes, at + RECORD_FRAME_BYTES, payloadLength);
 * ```
 */
export function decodeRecord(bytes: Uint8Array, offset: number, length: number): JournalEntry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kind = bytes[offset];
  const clockNanos = view.getFloat64(offset + 1, true);
  const epochMillis = view.getFloat64(offset + 9, true);
  const end = offset + length;
  let at = offset + COMMON_BYTES;
  switch (kind) {
    case RecordKind.start: {
      const seed = view.getFloat64(at, true);
      const { value } = decodeValue(bytes, at + 8, end);
      return { kind: "start", seed, config: value as Record<string, unknown>, clockNanos, epochMillis };
    }
    case RecordKind.event: {
      const sequence = view.getFloat64(at, true);
      const publishedNanos = view.getFloat64(at + 8, true);
      const publishedEpochMillis = view.getFloat64(at + 16, true);
      const nameLength = view.getUint16(at + 24, true);
      at += 26;
      const feed = textDecoder.decode(bytes.subarray(at, at + nameLength));
      const { value, unrecorded } = decodeValue(bytes, at + nameLength, end);
      const entry: JournalEntry = { kind: "event", feed, sequence, publishedNanos, publishedEpochMillis, clockNanos, epochMillis, value };
      if (unrecorded !== undefined) entry.unrecorded = unrecorded;
      return entry;
    }
    case RecordKind.timer:
      return { kind: "timer", ordinal: view.getUint32(at, true), clockNanos, epochMillis };
    case RecordKind.config:
      return { kind: "config", config: decodeValue(bytes, at, end).value as Record<string, unknown>, clockNanos, epochMillis };
    default:
      throw new JournalFormatError(`unknown record kind ${kind}`);
  }
}

function decodeValue(bytes: Uint8Array, at: number, end: number): { value: unknown; unrecorded?: string } {
  const encoding = bytes[at];
  if (encoding === VALUE_GENERIC) return { value: genericCodec.decode(bytes, at + 1, end - at - 1) };
  const text = textDecoder.decode(bytes.subarray(at + 1, end));
  if (encoding === VALUE_JSON) return { value: JSON.parse(text) };
  if (encoding === VALUE_UNRECORDED) return { value: undefined, unrecorded: text };
  throw new JournalFormatError(`unknown value encoding ${encoding}`);
}
