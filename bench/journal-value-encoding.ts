/**
 * Which value encoding a journal record should use: the generic codec (what the rings use for
 * structured values), plain UTF-8 for a string, or JSON text (JSON.stringify + TextEncoder.encodeInto), per record, for values of
 * the shapes handlers get: a text line, a small quote object, an array of numbers, a nested order. One
 * thread, rounds alternating the formats, medians; prints one JSON object `{runtime, nsPerValue, decode}`
 * with `{shape: {generic, json}}` per value encoded and decoded; a string also as plain UTF-8 (`utf8`).
 *
 *   bun bench/journal-value-encoding.ts [--values 1000000] [--rounds 5]
 *   deno run -A bench/journal-value-encoding.ts …
 *
 * Run by bench/journal.ts for both runtimes.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { runtime } from "../src/runtime/mod.ts";
import { ByteBuffer } from "../src/transport/byte-buffer.ts";
import { genericCodec } from "../src/transport/generic-codec.ts";
import { median } from "./child-runs.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { values: { type: "string", default: "1000000" }, rounds: { type: "string", default: "5" } } });
const count = Number(values.values);
const rounds = Number(values.rounds);

const SHAPES: Record<string, unknown> = {
  line: "2026-12-02T17:20:01.123Z INFO order 123456 accepted for AAPL",
  quote: { sym: "AAPL", px: 101.25, qty: 300, side: "BUY" },
  numbers: [1.5, 2.25, 3, 4, 5.125, 6, 7.75, 8],
  order: { id: 987654, account: "ACC-17", legs: [{ sym: "AAPL", qty: 100, px: 101.2 }, { sym: "MSFT", qty: 50, px: 410.05 }], tags: ["algo", "vwap"], urgent: false },
};

const out = new ByteBuffer(4096);
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();
let sink = 0;

const encoders = {
  generic: (value: unknown) => genericCodec.encode(value, out),
  json: (value: unknown) => textEncoder.encodeInto(JSON.stringify(value), out.bytes).written,
  /** A string as its UTF-8 bytes, what the journal does for string values. */
  utf8: (value: unknown) => textEncoder.encodeInto(value as string, out.bytes.subarray(1)).written,
};
const decoders = {
  generic: (length: number) => genericCodec.decode(out.bytes, 0, length),
  json: (length: number) => JSON.parse(textDecoder.decode(out.bytes.subarray(0, length))),
  utf8: (length: number) => textDecoder.decode(out.bytes.subarray(1, 1 + length)),
};
type Format = keyof typeof encoders;

function nsPer(run: () => void): number {
  const started = performance.now();
  run();
  return ((performance.now() - started) * 1e6) / count;
}

const encode: Record<string, Record<string, number>> = {};
const decode: Record<string, Record<string, number>> = {};
for (const [shape, value] of Object.entries(SHAPES)) {
  const formats: Format[] = typeof value === "string" ? ["generic", "json", "utf8"] : ["generic", "json"];
  const samples = { encode: new Map(formats.map((f) => [f, [] as number[]])), decode: new Map(formats.map((f) => [f, [] as number[]])) };
  for (let round = 0; round < rounds; round++) {
    for (const format of formats) {
      const encodeOne = encoders[format];
      samples.encode.get(format)!.push(nsPer(() => {
        for (let i = 0; i < count; i++) sink += encodeOne(value);
      }));
      const length = encodeOne(value);
      const decodeOne = decoders[format];
      samples.decode.get(format)!.push(nsPer(() => {
        for (let i = 0; i < count; i++) sink += decodeOne(length) === undefined ? 1 : 0;
      }));
    }
  }
  encode[shape] = Object.fromEntries(formats.map((f) => [f, median(samples.encode.get(f)!)]));
  decode[shape] = Object.fromEntries(formats.map((f) => [f, median(samples.decode.get(f)!)]));
}
if (sink === -1) console.log(sink);
console.log(JSON.stringify({ runtime: runtime.name, nsPerValue: encode, decode }));
