/**
 * The hot path with and without trace context, in one thread, free of scheduling noise: the same events
 * sent through an `EventOutlet` into a ring and polled by an `InboundRing`, with the code of a checkout
 * without tracing support (`--before DIR`, imported side by side) and with this one: tracing absent,
 * tracing on but events without context, and every event traced. Rounds alternate the variants; prints
 * one JSON object of median ns per event, for a generic object value and a string.
 *
 *   bun bench/tracing-hot-path.ts --before /path/to/checkout [--events 2000000] [--rounds 5]
 *   deno run -A bench/tracing-hot-path.ts …
 *
 * Results: bench/results/tracing-overhead.md.
 *
 * @module
 */
import { join, resolve } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runtime } from "../src/runtime/mod.ts";
import { TraceScope } from "../src/core/tracing/trace-scope.ts";
import { median } from "./child-runs.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { before: { type: "string" }, events: { type: "string", default: "2000000" }, rounds: { type: "string", default: "5" } },
});
if (!values.before) throw new Error("--before DIR: a checkout of the version to compare with");
const events = Number(values.events);
const BATCH = 256;
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/** One checkout's outlet → ring → inbound ring, built from its own modules. */
async function hop(root: string, traceScope?: TraceScope) {
  const load = (path: string) => import(pathToFileURL(join(resolve(root), "src", path)).href);
  const { EventOutlet } = await load("core/event-outlet.ts");
  const { InboundRing } = await load("core/host/inbound-ring.ts");
  const { createRingBuffer, RingConsumer, RingProducer } = await load("transport/ring.ts");
  const { CodecTable } = await load("transport/codecs.ts");
  const { WakeSignal } = await load("transport/wake-signal.ts");
  const { ServerClock } = await load("time/clock.ts");
  const clock = new ServerClock(performance.timeOrigin);
  const buffer = createRingBuffer(1 << 20, 1);
  const neverFull = { awaitSpace: () => { throw new Error("the ring is drained every batch"); } };
  const outlet = new EventOutlet("bench", clock, neverFull, () => {});
  outlet.addTarget(new RingProducer(buffer, new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0)), "consumer");
  let received = 0;
  const inbound = new InboundRing(new RingConsumer(buffer), "in", clock, new CodecTable(), () => void received++, () => {}, undefined, traceScope);
  /** Sends `count` values (with `traceparent`, if given) in batches, polling each batch; ns per event. */
  return (value: unknown, count: number, traceparent?: string): number => {
    const start = performance.now();
    for (let sent = 0; sent < count; sent += BATCH) {
      for (let i = 0; i < BATCH; i++) outlet.send(value, true, undefined, traceparent);
      outlet.flush();
      inbound.poll(BATCH);
    }
    if (received < count) throw new Error("events went missing");
    received = 0;
    return ((performance.now() - start) * 1e6) / count;
  };
}

const variants = {
  before: { run: await hop(values.before), traceparent: undefined },
  "after, tracing absent": { run: await hop(process.cwd()), traceparent: undefined },
  "after, tracing on, no context": { run: await hop(process.cwd(), new TraceScope()), traceparent: undefined },
  "after, every event traced": { run: await hop(process.cwd(), new TraceScope()), traceparent: TRACEPARENT },
};
const payloads = { object: { sym: "AAPL", px: 101.25, qty: 300 }, string: "AAPL,101.25,300" };
const report: Record<string, Record<string, number>> = {};
for (const [kind, value] of Object.entries(payloads)) {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (const { run, traceparent } of Object.values(variants)) run(value, events / 10, traceparent); // warm-up
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, { run, traceparent }] of Object.entries(variants)) samples[name].push(run(value, events, traceparent));
  }
  report[kind] = Object.fromEntries(Object.entries(samples).map(([name, list]) => [name, Math.round(median(list) * 10) / 10]));
}
console.log(JSON.stringify({ runtime: runtime.name, events, rounds: Number(values.rounds), nsPerEvent: report }));
