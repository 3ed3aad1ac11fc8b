/**
 * The per-event cost of latency recording on the handler's side, in one thread, without a ring or a
 * second thread to add noise: a real {@link HostedHandler} with a handler that does nothing, fed the
 * same event N times, with recording off, on 1 event in 64 and on every event (a real
 * {@link HandlerTiming} over a real shared-memory block and the server clock). Rounds alternate the
 * three settings; prints one JSON object `{runtime, nsPerEvent: {off, "64", "1"}}` of medians.
 *
 *   bun bench/latency-recording-cost.ts [--events 5000000] [--rounds 5]
 *   deno run -A bench/latency-recording-cost.ts …
 *
 * Run by bench/latency-recording.ts for both runtimes.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { Counter } from "../src/core/counters.ts";
import type { EventMeta } from "../src/core/handler-api.ts";
import { HandlerContextImpl, type HandlerHost } from "../src/core/host/handler-context.ts";
import { HostedHandler } from "../src/core/host/hosted-handler.ts";
import { HandlerTiming } from "../src/core/latency/handler-timing.ts";
import { allocateLatencyBlock, LatencyBlock } from "../src/core/latency/latency-block.ts";
import { createLogger } from "../src/log/log.ts";
import { runtime } from "../src/runtime/mod.ts";
import { ServerClock } from "../src/time/clock.ts";
import { deliveryRounds } from "./handler-delivery-rounds.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { events: { type: "string", default: "5000000" }, rounds: { type: "string", default: "5" } } });
const events = Number(values.events);
const SETTINGS = ["off", "64", "1"] as const;

const clock = new ServerClock(performance.timeOrigin);
const log = createLogger({ level: "silent", format: "text" });
/** The context is only built here; nothing in delivery calls the host. */
const host = { schedulerFor: () => undefined } as unknown as HandlerHost;
const block = new LatencyBlock(allocateLatencyBlock(1), ["h"]);

function handlerWith(setting: typeof SETTINGS[number]): HostedHandler {
  const context = new HandlerContextImpl("h", "bench", {}, clock, log, host);
  const timing = setting === "off" ? undefined : HandlerTiming.of(block, "h", Number(setting), clock);
  let seen = 0;
  const counter = () => new Counter(new Float64Array(1), 0);
  return new HostedHandler("h", { onEvent: () => void seen++ }, context, counter(), counter(), () => {}, timing);
}

const meta: EventMeta = { feed: "in", sequenceNumber: 1, publishedNanos: clock.nanos(), publishedAt: 0 };
const handlers = new Map(SETTINGS.map((s) => [s, handlerWith(s)]));
console.log(JSON.stringify({ runtime: runtime.name, nsPerEvent: deliveryRounds(handlers, events, Number(values.rounds), meta) }));
