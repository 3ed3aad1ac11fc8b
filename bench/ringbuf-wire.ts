/**
 * What the ringbuf.js benchmark (`ringbuf-hop.ts`) moves and says: the fixed 40-byte event record, and
 * the messages between the coordinating thread and its producer and consumer workers.
 *
 * Record layout (little-endian): f64 intended send time (server-clock ns) @0, f64 id @8, f64 price @16,
 * i32 qty @24, u8 side @28, 7 bytes ASCII symbol @29, 4 bytes padding @36: five float64 words, which is
 * how the ring carries it. Copying a float64 word may canonicalize a NaN bit pattern (JSC does), but no word
 * here can be a NaN while the symbol is printable ASCII: word 3's top byte is symbol[2] (≤ 0x7E) and
 * word 4's is padding. The consumer checks every field anyway.
 *
 * @module
 */

/** Bytes per event record. */
export const RECORD_BYTES = 40;
/** Float64 words per event record. */
export const RECORD_WORDS = RECORD_BYTES / 8;
/** The id of the record that ends a run (the consumer stops at it). */
export const END_ID = -1;
/** Most records per `push()` or `pop()`: the engine bench's default batch (events per duty cycle). */
export const BATCH_RECORDS = 256;

const T = 0;
const ID = 8;
const PRICE = 16;
const QTY = 24;
const SIDE = 28;
const SYMBOL = 29;
const SYMBOL_ASCII = new Uint8Array([65, 65, 80, 76, 32, 32, 32]); // "AAPL   "

const priceOf = (id: number) => 101.25 + (id % 100) / 100;
const qtyOf = (id: number) => 100 + (id % 7);
const sideOf = (id: number) => id & 1;

/** Writes every field of event `id`, intended to be sent at `t`, into the record at `offset`. */
export function encodeRecord(view: DataView, offset: number, id: number, t: number): void {
  view.setFloat64(offset + T, t, true);
  view.setFloat64(offset + ID, id, true);
  view.setFloat64(offset + PRICE, priceOf(id), true);
  view.setInt32(offset + QTY, qtyOf(id), true);
  view.setUint8(offset + SIDE, sideOf(id));
  for (let i = 0; i < SYMBOL_ASCII.length; i++) view.setUint8(offset + SYMBOL + i, SYMBOL_ASCII[i]);
}

/** The id of the record at `offset`. */
export function recordId(view: DataView, offset: number): number {
  return view.getFloat64(offset + ID, true);
}

/**
 * Decodes the record at `offset`, checks every field against event `expectedId` (so the benchmark cannot
 * pass with lost, reordered or torn records) and returns its intended send time.
 */
export function checkRecord(view: DataView, offset: number, expectedId: number): number {
  const id = view.getFloat64(offset + ID, true);
  let intact = id === expectedId && view.getFloat64(offset + PRICE, true) === priceOf(id) &&
    view.getInt32(offset + QTY, true) === qtyOf(id) && view.getUint8(offset + SIDE) === sideOf(id);
  for (let i = 0; i < SYMBOL_ASCII.length; i++) intact &&= view.getUint8(offset + SYMBOL + i) === SYMBOL_ASCII[i];
  if (!intact) throw new Error(`record ${expectedId}: got a corrupt or out-of-order record (id ${id})`);
  return view.getFloat64(offset + T, true);
}

/**
 * What the coordinator tells a worker: first to align clocks (the consumer measures the producer's clock
 * over `calibrate`, see clock-calibration.ts, and each answers "calibrated"), then to run.
 */
export type WorkerCommand =
  | { calibrate: SharedArrayBuffer; epochOriginMs: number }
  | { run: RunPlan };

/** One run, as both workers see it. */
export interface RunPlan {
  /** The ringbuf.js storage (a `Float64Array` ring). */
  ring: SharedArrayBuffer;
  /** Events per second, or "max" for back to back. */
  rate: number | "max";
  warmupEvents: number;
  /** Measured events to send; with `rate: "max"` and a time limit, `Infinity`. */
  events: number;
  /** Stop sending after this long (back-to-back runs with `--seconds`); otherwise `Infinity`. */
  maxSeconds: number;
}

/** The producer's report: when it sent the first measured event and how many it sent. */
export interface ProducerReport {
  startAt: number;
  sent: number;
}

/** The consumer's report; `histogram` is the latencies (ns) in compressed base64. */
export interface ConsumerReport {
  count: number;
  /** When the last measured event arrived. */
  lastAt: number;
  histogram: string;
}
