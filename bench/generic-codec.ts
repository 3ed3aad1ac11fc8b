/**
 * Generic and string codecs: ns per encode + decode of typical events, so a change to the codecs' hot
 * path can be measured against the previous version in the same process.
 *
 *   bun bench/generic-codec.ts [--events N] [--rounds R] [--compare ./path/to/other-generic-codec.ts]
 *   deno run -A bench/generic-codec.ts [same options]
 *
 * With `--compare` (a copy of generic-codec.ts placed in src/transport/, so its imports resolve), rounds
 * alternate between this tree's codec and the other one in the same process, and the best ns/op of each
 * (the round least disturbed by other load) is printed side by side. Shapes: the one-hop bench tick, a
 * nested order with a short array, an array of 64 numbers, a 200-character non-ASCII string field, and a
 * top-level string event (this tree: the codec the engine picks for it; the other: the string codec).
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { fillTick } from "../src/bench/bench-event.ts";
import { ByteBuffer } from "../src/transport/byte-buffer.ts";
import type { Codec } from "../src/transport/codec.ts";
import { codecForValue } from "../src/transport/codecs.ts";
import { genericCodec } from "../src/transport/generic-codec.ts";
import { stringCodec } from "../src/transport/string-codec.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { events: { type: "string", default: "1000000" }, rounds: { type: "string", default: "7" }, compare: { type: "string" } },
});
const events = Number(values.events);
const rounds = Number(values.rounds);

const shapes: [string, unknown][] = [
  ["tick", fillTick({} as never, 7, 1_000, false)],
  ["order", { id: 42, account: "ACC-1", legs: [{ sym: "AAPL", qty: 100, px: 101.25 }, { sym: "MSFT", qty: -50, px: 402.5 }], tif: "DAY" }],
  ["numbers[64]", Array.from({ length: 64 }, (_, i) => i * 1.5)],
  ["non-ASCII text", { note: "prix unitaire ✓ ".repeat(13).slice(0, 200) }],
];

/** ns per encode + decode of `value`, over `events` iterations. */
function measure(codec: Codec<unknown>, value: unknown, out: ByteBuffer): number {
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < events; i++) {
    const length = codec.encode(value, out);
    sink += codec.decode(out.bytes, 0, length) === undefined ? 0 : 1;
  }
  const elapsed = performance.now() - started;
  if (sink !== events) throw new Error("decode returned undefined");
  return (elapsed * 1e6) / events;
}

const best = (numbers: number[]) => Math.min(...numbers);
const contenders: [string, (value: unknown) => Codec<unknown>][] = [["this tree", (value) => typeof value === "string" ? codecForValue(value) : genericCodec]];
if (values.compare) {
  const other = (await import(pathToFileURL(resolve(values.compare)).href)).genericCodec as Codec<unknown>;
  // A string event's codec is picked per value; the comparison picks the plain string codec.
  contenders.push([values.compare, (value) => typeof value === "string" ? stringCodec as Codec<unknown> : other]);
}

const text = "AAPL,101.25,100,B,2024-05-01T09:30:00.123Z";
const out = new ByteBuffer(1024);
for (const [label, value] of [...shapes, ["string event", text] as [string, unknown]]) {
  const samples: number[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    contenders.forEach(([, pick], i) => samples[i].push(measure(pick(value), value, out)));
  }
  console.log(`${label.padEnd(16)} ${contenders.map(([name], i) => `${best(samples[i]).toFixed(1)} ns/op (${name})`).join("   ")}`);
}
