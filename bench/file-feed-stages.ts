/**
 * Where a JSON file feed's time goes, on one thread: the same JSONL bytes through the plain loop of
 * bench/file-feed.ts (bulk decode, split, parse), and through the engine's two halves run back to back
 * — the feed's (split into byte ranges, encode as json-text, write to a ring) and the subscriber's (poll
 * the ring, decode each line, parse it). Without a second thread, nothing is scheduled away, so the ns per
 * line of each half say which thread limits the two-thread run: it cannot beat the plain loop unless the
 * slower half costs less per line than the plain loop does.
 *
 *   bun bench/file-feed-stages.ts [--lines N] [--rounds R] [--ring-capacity BYTES]
 *   deno run -A bench/file-feed-stages.ts [same options]
 *
 * Prints one JSON line: the median ns/line of each over the rounds.
 */
import { Buffer } from "node:buffer";
import process from "node:process";
import { parseArgs } from "node:util";
import { LineSplitter } from "../src/core/feeds/line-splitter.ts";
import { InboundRing } from "../src/core/host/inbound-ring.ts";
import { runtime } from "../src/runtime/mod.ts";
import { ServerClock } from "../src/time/clock.ts";
import { ByteBuffer } from "../src/transport/byte-buffer.ts";
import { CodecTable } from "../src/transport/codecs.ts";
import { type JsonLineBytes, jsonTextCodec } from "../src/transport/json-text-codec.ts";
import { type Backpressure, createRingBuffer, RingConsumer, RingProducer } from "../src/transport/ring.ts";
import { WakeSignal } from "../src/transport/wake-signal.ts";
import { median } from "./child-runs.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { lines: { type: "string", default: "1000000" }, rounds: { type: "string", default: "5" }, "ring-capacity": { type: "string", default: String(256 * 1024) } },
});
const lines = Number(values.lines);
const rounds = Number(values.rounds);
const READ_BLOCK = 64 * 1024; // the file feed's and the plain loop's read size
const rows: string[] = [];
for (let i = 0; i < lines; i++) rows.push(JSON.stringify({ id: i, sym: ["AAPL", "MSFT", "NVDA"][i % 3], px: 100 + (i % 1000) / 100, qty: 1 + (i % 50), side: i % 2 ? "B" : "S" }));
const file = Buffer.from(rows.join("\n") + "\n");

/** bench/file-feed.ts's baseline, on bytes already in memory (no read calls, as for the halves below). */
function plainLoop(): number {
  let carry = "";
  let parsed = 0;
  for (let at = 0; at < file.length; at += READ_BLOCK) {
    const parts = (carry + file.toString("utf8", at, Math.min(file.length, at + READ_BLOCK))).split("\n");
    carry = parts.pop()!;
    for (const part of parts) if (part.length > 0 && JSON.parse(part)) parsed++;
  }
  return parsed;
}

const ring = createRingBuffer(Number(values["ring-capacity"]), 1);
const producer = new RingProducer(ring, new WakeSignal(new Int32Array(new SharedArrayBuffer(4)), 0));
let delivered = 0;
const inbound = new InboundRing(new RingConsumer(ring), "trades", new ServerClock(performance.timeOrigin), new CodecTable(), () => delivered++, (error) => {
  throw error;
});
const neverWait: Backpressure = {
  awaitSpace() {
    throw new Error("the ring is drained before it fills");
  },
};

/** Runs the feed's half over the file, draining the ring (the subscriber's half) whenever it is full; returns [feed ms, subscriber ms]. */
function engineHalves(): [number, number] {
  const encoded = new ByteBuffer(512);
  const line: JsonLineBytes = { bytes: file, from: 0, to: 0, line: 0, offset: 0 };
  const block = Buffer.alloc(READ_BLOCK);
  const splitter = new LineSplitter(0);
  let subscriberMs = 0;
  let sequence = 0;
  const drain = () => {
    const started = performance.now();
    producer.publish();
    while (inbound.poll(1 << 20) > 0);
    subscriberMs += performance.now() - started;
  };
  const onLine = (bytes: Buffer, from: number, to: number, start: number, _end: number, lineNumber: number) => {
    line.bytes = bytes;
    line.from = from;
    line.to = to;
    line.line = lineNumber;
    line.offset = start;
    const length = jsonTextCodec.encode(line, encoded);
    if (!producer.hasRoomFor(length)) drain();
    producer.write(jsonTextCodec.id, ++sequence, 0, encoded.bytes, length, neverWait);
  };
  const started = performance.now();
  for (let at = 0; at < file.length; at += READ_BLOCK) splitter.push(block, file.copy(block, 0, at, at + READ_BLOCK), onLine);
  drain();
  return [performance.now() - started - subscriberMs, subscriberMs];
}

const plain: number[] = [];
const feed: number[] = [];
const subscriber: number[] = [];
const perLine = (ms: number) => (ms * 1e6) / lines;
for (let round = 0; round < rounds; round++) {
  let started = performance.now();
  if (plainLoop() !== lines) throw new Error("plain loop lost lines");
  plain.push(perLine(performance.now() - started));
  delivered = 0;
  started = performance.now();
  const [feedMs, subscriberMs] = engineHalves();
  if (delivered !== lines) throw new Error(`subscriber received ${delivered} of ${lines}`);
  feed.push(perLine(feedMs));
  subscriber.push(perLine(subscriberMs));
}
console.log(JSON.stringify({
  runtime: runtime.name,
  version: runtime.version,
  lines,
  rounds,
  nsPerLine: { plainLoop: Math.round(median(plain)), feedHalf: Math.round(median(feed)), subscriberHalf: Math.round(median(subscriber)) },
}));
process.exit(0);
