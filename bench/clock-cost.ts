/**
 * What one clock read costs: ns per call of each clock the runtime offers, and of reading a clock word in
 * shared memory that a ticking worker keeps up to date (with how stale that word is when read).
 *
 *   bun bench/clock-cost.ts [--calls N] [--rounds R] [--tick-us 0,50,1000]
 *   deno run -A bench/clock-cost.ts [same options]
 *
 * Clocks are measured in alternating rounds, median ns/call (loop overhead included: an empty loop is
 * printed as the baseline). For the shared word, per tick period (0: the writer spins on a core of its
 * own): the cost of a plain Float64Array read and of Atomics.load on a BigInt64Array (+ Number()), the
 * staleness (this thread's ServerClock reading minus the word, median and p99 over 10,000 samples) and
 * the resolution (median gap between two different values the reader saw).
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { ServerClock } from "../src/time/clock.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { calls: { type: "string", default: "5000000" }, rounds: { type: "string", default: "7" }, "tick-us": { type: "string", default: "0,50,1000" } },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
const tickPeriods = values["tick-us"].split(",").map(Number);
const runtime = "Bun" in globalThis ? "bun" : "deno";
const bun = (globalThis as { Bun?: { nanoseconds(): number } }).Bun;

/** ns per call of `read`, the sum of its results kept so the loop is not optimised away. */
function timeCalls(read: () => number | bigint): number {
  let sink = 0;
  const started = performance.now();
  for (let i = 0; i < calls; i++) sink += Number(read()) & 1;
  const elapsed = performance.now() - started;
  if (sink < 0) console.log(sink);
  return (elapsed * 1e6) / calls;
}

const median = (numbers: number[]) => numbers.toSorted((a, b) => a - b)[numbers.length >> 1];
const percentile = (numbers: number[], p: number) => numbers.toSorted((a, b) => a - b)[Math.min(numbers.length - 1, Math.floor(numbers.length * p))];

const epochOriginMs = performance.timeOrigin;
const clock = new ServerClock(epochOriginMs);
const shared = new SharedArrayBuffer(32);
const float = new Float64Array(shared, 0, 1);
const integer = new BigInt64Array(shared, 8, 1);
const control = new Int32Array(shared, 16, 2);

const clocks: [string, () => number | bigint][] = [
  ["empty loop (baseline)", () => 1],
  ["performance.now()", () => performance.now()],
  ["ServerClock.nanos()", () => clock.nanos()],
  ["Date.now()", () => Date.now()],
  ["process.hrtime()", () => process.hrtime()[1]],
  ["process.hrtime.bigint()", () => process.hrtime.bigint()],
  ...(bun ? [["Bun.nanoseconds()", () => bun.nanoseconds()] as [string, () => number]] : []),
  ["shared f64 word (plain read)", () => float[0]],
  ["shared i64 word (Atomics.load)", () => Number(Atomics.load(integer, 0))],
];

console.log(`${runtime}: ${calls} calls × ${rounds} alternating rounds, median ns/call`);
const samples = clocks.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) clocks.forEach(([, read], i) => samples[i].push(timeCalls(read)));
clocks.forEach(([name], i) => console.log(`  ${name.padEnd(32)} ${median(samples[i]).toFixed(1).padStart(6)} ns`));

console.log(`shared clock word written by a worker (staleness = own ServerClock.nanos() - word)`);
for (const tickMicros of tickPeriods) {
  Atomics.store(control, 0, 0);
  const worker = new Worker(new URL("./clock-word-ticker.ts", import.meta.url).href, { type: "module" });
  const messages: string[] = [];
  let notify = () => {};
  worker.onmessage = (event) => {
    messages.push(event.data);
    notify();
  };
  const next = () => new Promise<void>((resolve) => messages.length > 0 ? resolve() : notify = resolve).then(() => messages.shift());
  worker.postMessage({ shared, epochOriginMs, tickMicros });
  await next();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const f64 = median([0, 1, 2].map(() => timeCalls(() => float[0])));
  const i64 = median([0, 1, 2].map(() => timeCalls(() => Number(Atomics.load(integer, 0)))));
  const staleness: number[] = [];
  const gaps: number[] = [];
  let last = float[0];
  const started = clock.nanos();
  while (staleness.length < 10_000 && clock.nanos() - started < 2e9) {
    const word = float[0];
    const now = clock.nanos();
    staleness.push(now - word);
    if (word !== last) {
      gaps.push(word - last);
      last = word;
    }
    // Samples spread over time: about 2 µs apart.
    while (clock.nanos() - now < 2_000);
  }
  Atomics.store(control, 0, 1);
  await next();
  const ticks = Atomics.load(control, 1);
  worker.terminate();
  console.log(`  tick ${tickMicros === 0 ? "spin" : `${tickMicros} µs`}: f64 read ${f64.toFixed(1)} ns, Atomics.load ${i64.toFixed(1)} ns; staleness median ${(median(staleness) / 1e3).toFixed(2)} µs, p99 ${(percentile(staleness, 0.99) / 1e3).toFixed(2)} µs; resolution (median change seen) ${gaps.length ? (median(gaps) / 1e3).toFixed(2) : "n/a"} µs; writer ticks ${ticks}`);
}
