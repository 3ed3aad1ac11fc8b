/**
 * The per-event cost of journaling on the handler's side, in one thread, without a ring or a second
 * thread to add noise: a real {@link HostedHandler} with a handler that does nothing, fed the same kind
 * of event N times, not journaled and journaled (a real {@link JournalWriter} writing to a temporary
 * folder, 16 MiB files, 2 kept, flushed every 64 KiB as on a busy agent). Rounds alternate the two;
 * prints one JSON object `{runtime, nsPerEvent: {off, journal}}` of medians.
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
import { deliveryRounds } from "./handler-delivery-rounds.ts";

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

const journal = new JournalWriter({ dir, handler: "h", epochOriginMs: clock.epochOriginMs, rollBytes: 16 << 20, retainFiles: 2, clock, log });
try {
  const meta: EventMeta = { feed: "in", sequenceNumber: 1, publishedNanos: clock.nanos(), publishedAt: clock.epochMillis() };
  const handlers = new Map([["off", handler()], ["journal", handler(journal)]]);
  console.log(JSON.stringify({ runtime: runtime.name, nsPerEvent: deliveryRounds(handlers, Number(values.events), Number(values.rounds), meta) }));
} finally {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
}
