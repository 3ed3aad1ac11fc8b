/**
 * Fixed-layout codec: ns per event and heap use over 10 M events for each hot-path operation, on a
 * ring-like SharedArrayBuffer (payloads at 8-aligned offsets of a Uint8Array at byteOffset 384).
 *
 *   bun bench/fixed-layout-alloc.ts [--events N]
 *   deno run -A --v8-flags=--expose-gc bench/fixed-layout-alloc.ts
 *
 * Each operation runs twice: timed, then with heapUsed sampled every 10 000 events. heapUsed before and
 * after a loop cannot see garbage (young collections run inside the loop), so "alloc" adds up the
 * increases between samples, in bytes per event; "retained" is heapUsed after a full collection minus
 * before the loop. V8 (Deno) counts young allocations live, so alloc is a byte rate (under 1 B/event is
 * the sampling's own cost; a per-event allocation is at least 16). JSC (Bun) updates heapUsed only at
 * collections, so there alloc is n/a: count the collections that allocation triggered instead, per
 * operation (each follows about 8 MB allocated; 0 means no allocation per event):
 *
 *   BUN_JSC_logGC=1 bun bench/fixed-layout-alloc.ts 2>&1 |
 *     awk '/Requesting GC because bytes allocated/{n++} /ns\/op/{print n+0, $0; n=0}'
 *
 * The toObject() line is a control that does allocate.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { ByteBuffer } from "../src/transport/byte-buffer.ts";
import { defineEvent, EventType, type FixedEvent } from "../src/transport/fixed-layout.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { events: { type: "string", default: "10000000" } } });
const events = Number(values.events);

// deno-lint-ignore no-explicit-any
const host = globalThis as any;
const gc = (): void => host.Bun?.gc?.(true) ?? host.gc?.();

const trade = new EventType(defineEvent("Trade", { px: "f64", qty: "i64", size: "i32", venue: "u16", buy: "bool", sym: "ascii(8)" }), 8);
const SLOTS = 1024;
const ring = new Uint8Array(new SharedArrayBuffer(384 + SLOTS * trade.byteLength), 384, SLOTS * trade.byteLength);
const writer = trade.flyweight();
const reader = trade.flyweight();
const out = new ByteBuffer(trade.byteLength);
const symbols = ["AAPL", "MSFT", "NVDA", "AMZN"];
for (let slot = 0; slot < SLOTS; slot++) {
  writer.wrap(ring, slot * trade.byteLength);
  Object.assign(writer, { px: 100 + slot / 100, qty: slot, size: slot, venue: slot & 7, buy: (slot & 1) === 1, sym: symbols[slot & 3] });
}
const plain = { px: 1.5, qty: 7n, size: 3, venue: 2, buy: true, sym: "AAPL" };
const at = (i: number) => (i & (SLOTS - 1)) * trade.byteLength;

/** Results escape here, so the control's objects really are allocated (JSC can sink unused ones). */
const kept: unknown[] = [undefined];

/** Each operation returns a number so the loop's work cannot be optimized away. */
const operations: Record<string, (i: number) => number> = {
  "wrap + numeric writes": (i) => {
    const e = writer.wrap(ring, at(i));
    e.px = i * 0.5;
    e.qty = i;
    e.size = i;
    e.venue = i;
    e.buy = (i & 1) === 1;
    return 0;
  },
  "wrap + numeric reads": (i) => {
    const e = reader.wrap(ring, at(i));
    return (e.px as number) + (e.size as number) + (e.venue as number) + (e.buy ? 1 : 0);
  },
  "decode + numeric reads": (i) => {
    const e = trade.codec.decode(ring, at(i), trade.byteLength);
    return (e.px as number) + (e.size as number) + (e.venue as number) + (e.buy ? 1 : 0);
  },
  "decode + ascii read (interned)": (i) => (trade.codec.decode(ring, at(i), trade.byteLength).sym as string).length,
  "encode(flyweight) copy": (i) => trade.codec.encode(reader.wrap(ring, at(i)), out),
  "encode + decode round trip": (i) => {
    trade.codec.encode(reader.wrap(ring, at(i)), out);
    return trade.codec.decode(out.bytes, 0, trade.byteLength).px as number;
  },
  "encode(plain object)": (i) => {
    plain.px = i;
    return trade.codec.encode(plain, out);
  },
  "decode + i64 read (bigint)": (i) => Number(trade.codec.decode(ring, at(i), trade.byteLength).qty as bigint),
  "control: decode + toObject()": (i) => {
    const copy = trade.codec.decode(ring, at(i), trade.byteLength).toObject();
    kept[0] = copy;
    return copy.px as number;
  },
};

const CHUNK = 10_000;

type Loop = (op: (i: number) => number, from: number, to: number) => number;

/**
 * A loop compiled for one operation: a loop shared by all operations would call them through one
 * megamorphic site, which stops inlining and boxes every returned double.
 */
const loopFor = (name: string) => new Function("op", "from", "to", `// ${name}\nlet sink = 0;\nfor (let i = from; i < to; i++) sink += op(i);\nreturn sink;`) as Loop;

function measure(name: string, operation: (i: number) => number, count: number): { nanos: number; alloc: number; retained: number } {
  const loop = loopFor(name);
  let sink = loop(operation, 0, 1_000_000);
  gc();
  const started = performance.now();
  sink += loop(operation, 0, count);
  const nanos = ((performance.now() - started) * 1e6) / count;
  gc();
  const before = process.memoryUsage().heapUsed;
  let increases = 0;
  let last = before;
  for (let from = 0; from < count; from += CHUNK) {
    sink += loop(operation, from, Math.min(count, from + CHUNK));
    const now = process.memoryUsage().heapUsed;
    if (now > last) increases += now - last;
    last = now;
  }
  gc();
  const retained = process.memoryUsage().heapUsed - before;
  if (Number.isNaN(sink)) throw new Error("an operation returned NaN");
  return { nanos, alloc: increases / count, retained };
}

const runtime = host.Bun ? `bun ${host.Bun.version}` : host.Deno ? `deno ${host.Deno.version.deno}` : `node ${process.version}`;
console.log(`${runtime}: ${events.toLocaleString("en")} events per operation, Trade payload ${trade.byteLength} bytes${host.Bun || host.gc ? "" : " (no gc(): run Deno with --v8-flags=--expose-gc)"}`);
for (const [name, operation] of Object.entries(operations)) {
  const { nanos, alloc, retained } = measure(name, operation, events);
  const allocText = host.Bun ? "   n/a" : alloc.toFixed(2).padStart(6);
  console.log(`${name.padEnd(32)} ${nanos.toFixed(2).padStart(7)} ns/op   alloc ${allocText} B/event   retained ${(retained / 2 ** 20).toFixed(2).padStart(5)} MB`);
}
// The write loop's last event must be readable back: a cheap end-to-end check of the accessors.
const last: FixedEvent = reader.wrap(ring, at(events - 1));
if (last.qty !== BigInt(events - 1) || last.size !== events - 1) throw new Error(`last event reads back wrong: ${JSON.stringify(last)}`);
