/**
 * The ring alone, on one thread: ns per event to write a batch of small events, publish, and poll them,
 * so a change to the ring's hot path (e.g. the consumer's statistics) is measured without the noise of two
 * threads sharing a busy 2-core machine.
 *
 *   bun bench/ring-poll.ts [--events N] [--rounds R] [--ring ./src/transport/other-ring.ts] [--on-full POLICY]
 *   deno run -A bench/ring-poll.ts [same options]
 *
 * `--ring` measures another copy of ring.ts (placed in src/transport/, so its imports resolve) instead of
 * this tree's. Compare two rings in alternating processes, not in one: within one process the module
 * imported second measured up to 30 % faster in an A/A run (the same file twice). Prints one JSON line:
 * the best ns/event (the round least disturbed by other load) and the median, for batches of 1 event per
 * poll (the worst case for anything the ring does per poll) and of 64. `--on-full` sets the ring's
 * full-ring policy (default block; the ring never fills here, so this measures what a policy costs a
 * ring that keeps up, e.g. dropOldest's copy and exchange per event).
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type * as Ring from "../src/transport/ring.ts";
import { FULL_RING_POLICIES, type FullRingPolicy, fullRingPolicyCode } from "../src/transport/full-ring-policy.ts";
import { WakeSignal } from "../src/transport/wake-signal.ts";
import { median } from "./child-runs.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    events: { type: "string", default: "4000000" },
    rounds: { type: "string", default: "9" },
    ring: { type: "string", default: new URL("../src/transport/ring.ts", import.meta.url).pathname },
    "on-full": { type: "string", default: "block" },
  },
});
const onFull = values["on-full"] as FullRingPolicy;
if (!FULL_RING_POLICIES.includes(onFull)) throw new Error(`--on-full must be one of ${FULL_RING_POLICIES.join(", ")}, got ${onFull}`);
const events = Number(values.events);
const rounds = Number(values.rounds);
const ring = await import(pathToFileURL(resolve(values.ring)).href) as typeof Ring;
const payload = new Uint8Array(16).fill(7);
const noBackpressure: Ring.Backpressure = { awaitSpace: () => {} };
let consumedBytes = 0;
const consume = (_bytes: Uint8Array, _offset: number, length: number) => void (consumedBytes += length);

/** ns per event over `events` events written and polled `batch` at a time. */
function round(batch: number): number {
  const buffer = ring.createRingBuffer(1 << 16, 1, fullRingPolicyCode(onFull));
  const producer = new ring.RingProducer(buffer, new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0));
  const consumer = new ring.RingConsumer(buffer);
  const started = performance.now();
  for (let sent = 0; sent < events; sent += batch) {
    for (let i = 0; i < batch; i++) producer.write(1, sent + i, 0, payload, payload.length, noBackpressure);
    producer.publish();
    consumer.poll(consume, 256);
  }
  return ((performance.now() - started) * 1e6) / events;
}

const result: Record<string, { bestNs: number; medianNs: number }> = {};
for (const batch of [1, 64]) {
  round(batch); // warm-up
  const times = Array.from({ length: rounds }, () => round(batch));
  result[`batch${batch}`] = { bestNs: Math.min(...times), medianNs: median(times) };
}
// Printing the consumed total keeps the handler's work observable, so it cannot be optimised away.
console.log(JSON.stringify({ ring: values.ring, onFull, ...result, consumedBytes }));
