/**
 * The hand-written generic codec against msgpackr (with its record extension) on the same objects, split
 * into the three costs of one ring hop: encode (value → bytes), copy (bytes → a ring-sized buffer, as
 * RingProducer.write copies) and decode (ring bytes → value). Rounds alternate between the contenders in
 * the same process; the median ns/op of each is printed.
 *
 *   bun bench/generic-vs-msgpackr.ts [--events N] [--rounds R]
 *   deno run -A bench/generic-vs-msgpackr.ts [same options]
 *
 * Contenders: `generic` (src/transport/generic-codec.ts); `msgpackr records` (`new Packr({ useRecords:
 * true })`: every message carries its record definitions, so it decodes anywhere on its own, like a ring
 * record must); `msgpackr shared` (`structures: []` shared by the packer and the unpacker: definitions are
 * sent once, which across workers would need the structures kept in sync, an extra protocol; it is the
 * best case msgpackr can reach).
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { Packr } from "msgpackr";
import { fillTick } from "../src/bench/bench-event.ts";
import { ByteBuffer } from "../src/transport/byte-buffer.ts";
import { genericCodec } from "../src/transport/generic-codec.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { events: { type: "string", default: "500000" }, rounds: { type: "string", default: "7" } },
});
const events = Number(values.events);
const rounds = Number(values.rounds);

const shapes: [string, unknown][] = [
  ["tick", fillTick({} as never, 7, 1_000, false)],
  ["order", { id: 42, account: "ACC-1", legs: [{ sym: "AAPL", qty: 100, px: 101.25 }, { sym: "MSFT", qty: -50, px: 402.5 }], tif: "DAY" }],
  ["string-keyed", { "EUR/USD": 1.0842, "GBP/USD": 1.2711, "USD/JPY": 151.37, source: "ecb" }],
];

/** Encodes into some bytes and says where they are; decodes from a slice of a larger buffer. */
interface Contender {
  name: string;
  encode(value: unknown): number;
  /** The bytes of the last encode (the first `length` of them). */
  encoded(): Uint8Array;
  decode(bytes: Uint8Array, offset: number, length: number): unknown;
}

function generic(): Contender {
  const out = new ByteBuffer(1024);
  return {
    name: "generic",
    encode: (value) => genericCodec.encode(value, out),
    encoded: () => out.bytes,
    decode: (bytes, offset, length) => genericCodec.decode(bytes, offset, length),
  };
}

function msgpackr(name: string, packr: Packr): Contender {
  let last: Uint8Array = new Uint8Array(0);
  return {
    name,
    encode: (value) => (last = packr.pack(value)).length,
    encoded: () => last,
    // unpack reads a whole buffer: a record inside the ring needs a view of its own.
    decode: (bytes, offset, length) => packr.unpack(bytes.subarray(offset, offset + length)),
  };
}

const RING_BYTES = 256 * 1024;
const ring = new Uint8Array(RING_BYTES);

/** ns per op of encode, copy and decode of `value`, `events` times each. */
function measure(contender: Contender, value: unknown): [number, number, number] {
  let length = 0;
  let started = performance.now();
  for (let i = 0; i < events; i++) length = contender.encode(value);
  const encodeNs = ((performance.now() - started) * 1e6) / events;

  const source = contender.encoded();
  const slots = Math.floor(RING_BYTES / length);
  started = performance.now();
  for (let i = 0; i < events; i++) {
    const at = (i % slots) * length;
    // As RingProducer.write: a byte loop up to 256 bytes, set() above.
    if (length <= 256) for (let b = 0; b < length; b++) ring[at + b] = source[b];
    else ring.set(source.subarray(0, length), at);
  }
  const copyNs = ((performance.now() - started) * 1e6) / events;

  let sink = 0;
  started = performance.now();
  for (let i = 0; i < events; i++) sink += contender.decode(ring, (i % slots) * length, length) === undefined ? 0 : 1;
  const decodeNs = ((performance.now() - started) * 1e6) / events;
  if (sink !== events) throw new Error(`${contender.name}: decode returned undefined`);
  return [encodeNs, copyNs, decodeNs];
}

const median = (numbers: number[]) => numbers.toSorted((a, b) => a - b)[numbers.length >> 1];
const runtime = "Bun" in globalThis ? "bun" : "deno";
console.log(`${runtime}: ${events} events × ${rounds} alternating rounds, median ns/op`);
console.log(`${"shape".padEnd(13)} ${"codec".padEnd(17)} ${"bytes".padStart(5)} ${"encode".padStart(7)} ${"copy".padStart(6)} ${"decode".padStart(7)} ${"total".padStart(7)}`);
for (const [label, value] of shapes) {
  const contenders = [generic(), msgpackr("msgpackr records", new Packr({ useRecords: true })), msgpackr("msgpackr shared", new Packr({ structures: [] }))];
  for (const contender of contenders) {
    const length = contender.encode(value);
    const decoded = contender.decode(contender.encoded(), 0, length);
    if (JSON.stringify(decoded) !== JSON.stringify(value)) throw new Error(`${contender.name} does not round-trip ${label}: ${JSON.stringify(decoded)}`);
  }
  const samples = contenders.map(() => [[], [], []] as number[][]);
  for (let round = 0; round < rounds; round++) {
    contenders.forEach((contender, i) => measure(contender, value).forEach((ns, part) => samples[i][part].push(ns)));
  }
  contenders.forEach((contender, i) => {
    const [encode, copy, decode] = samples[i].map(median);
    const bytes = contender.encode(value);
    console.log(`${label.padEnd(13)} ${contender.name.padEnd(17)} ${String(bytes).padStart(5)} ${encode.toFixed(1).padStart(7)} ${copy.toFixed(1).padStart(6)} ${decode.toFixed(1).padStart(7)} ${(encode + copy + decode).toFixed(1).padStart(7)}`);
  });
}
