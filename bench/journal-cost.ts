/**
 * The per-event cost of journaling on the handler's side, in one thread, without a ring or a second
 * thread to add noise: a real {@link HostedHandler} with a handler that does nothing, fed N events (a
 * number, and the 7-field tick object of `mongoose bench --codec json`), not journaled and journaled (a real {@link JournalWriter} writing to a temporary
 * folder, 16 MiB files, 2 kept, flushed every 64 KiB as on a busy agent). Rounds alternate the two;
 * prints one JSON object `{runtime, nsPerEvent: {number: {off, journal}, tick: {off, journal}}}` of medians.
 *
 *   bun bench/journal-cost.ts [--events 1000000] [--rounds 5]
 *   deno run -A bench/journal-cost.ts …
 *
 * Run by bench/journal.ts for both runtimes.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { Counter } from "../src/core/counters.ts";
import type { EventMeta } from "../src/core/handler-api.ts";
import { HandlerContextImpl, type HandlerHost } from "../src/core/host/handler-context.ts";
import { HostedHandler } from "../src/core/host/hosted-handler.ts";
import { JournalWriter } from "../src/core/journal/journal-writer.ts";
import { createLogger } from "../src/log/log.ts";
import { runtime } from "../src/runtime/mod.ts";
import { ServerClock } from "../src/time/clock.ts";
import { median } from "./child-runs.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { events: { type: "string", default: "1000000" }, rounds: { type: "string", default: "5" } } });

const clock = new ServerClock(performance.timeOrigin);
const log = createLogger({ level: "warn", format: "text" });
/** Only the scheduler is asked for while the context is built; nothing in delivery calls the host. */
const host = { schedulerFor: () => ({}) } as unknown as HandlerHost;
const dir = mkdtempSync(join(tmpdir(), "mongoose-journal-cost-"));

function handler(journal?: JournalWriter): HostedHandler {
  const context = new HandlerContextImpl("h", "bench", {}, clock, log, host, journal);
  let seen = 0;
  const counter = () => new Counter(new Float64Array(1), 0);
  return new HostedHandler("h", { onEvent: () => void seen++ }, context, counter(), counter(), () => {}, undefined, undefined, journal);
}

/** Median ns per event of each variant, fed `value` N times per round, variants alternating within rounds. */
function rounds(handlers: ReadonlyMap<string, HostedHandler>, value: (i: number) => unknown, meta: EventMeta): Record<string, number> {
  const events = Number(values.events);
  const samples = new Map<string, number[]>([...handlers.keys()].map((name) => [name, []]));
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, handler] of handlers) {
      const started = performance.now();
      for (let i = 0; i < events; i++) handler.deliver(value(i), meta);
      samples.get(name)!.push(((performance.now() - started) * 1e6) / events);
    }
  }
  return Object.fromEntries([...samples].map(([name, ns]) => [name, Number(median(ns).toFixed(1))]));
}

const journal = new JournalWriter({ dir, handler: "h", epochOriginMs: clock.epochOriginMs, rollBytes: 16 << 20, retainFiles: 2, clock, log });
try {
  const meta: EventMeta = { feed: "in", sequenceNumber: 1, publishedNanos: clock.nanos(), publishedAt: clock.epochMillis() };
  const handlers = new Map([["off", handler()], ["journal", handler(journal)]]);
  const tick = { t: clock.nanos(), id: 0, px: 101.25, qty: 100, warmup: false, side: "B", sym: "AAPL" };
  const ticks = (i: number) => {
    tick.id = i;
    return tick;
  };
  console.log(JSON.stringify({ runtime: runtime.name, nsPerEvent: { number: rounds(handlers, (i) => i, meta), tick: rounds(handlers, ticks, meta) } }));
} finally {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
}
