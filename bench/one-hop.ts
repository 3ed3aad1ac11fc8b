/**
 * One-hop benchmark: the supervisor thread publishes small objects into a memory feed → SPSC ring →
 * a handler on a worker agent, and, in the same run, the same events by postMessage to a plain worker.
 *
 *   bun bench/one-hop.ts [--rate N|max] [--seconds S] [--events N] [--idle NAME] [--json] [--hgrm-dir DIR]
 *   deno run -A bench/one-hop.ts …same options…
 *
 * Warm-up events (200 k, or 20 % of a paced run) are sent and drained first. `--rate max` then measures
 * throughput: events are published back to back and throughput is events divided by the time from the
 * first publish to the last `onEvent`. A paced rate measures one-way latency from each event's intended
 * send time (coordinated omission accounted for).
 */
import * as hdr from "hdr-histogram-js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import type { IdleStrategySpec } from "../src/agent/idle-strategy.ts";
import { MongooseServer } from "../src/mod.ts";
import { ServerClock } from "../src/runtime/clock.ts";
import { runtime } from "../src/runtime/mod.ts";
import { benchEvent } from "./bench-event.ts";

/** What one transport achieved. */
export interface HopResult {
  transport: "ring" | "postMessage";
  events: number;
  throughput: number;
  p50Ns: number;
  p90Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
  /** The latency distribution in HdrHistogram's text format, values in µs (empty for throughput runs). */
  hgrm: string;
}

/** Parameters shared by both transports. */
export interface HopOptions {
  /** Events per second, or "max". */
  rate: number | "max";
  events: number;
  idle: IdleStrategySpec["type"];
}

interface Received {
  count: number;
  firstAt: number;
  lastAt: number;
  histogram: string;
}

const clock = new ServerClock(performance.timeOrigin);

/**
 * Publishes `count` events with ids from `firstId` through `send`, paced at `rate` (or back to back);
 * returns the time the first one was sent.
 */
function publish(rate: HopOptions["rate"], firstId: number, count: number, send: (id: number, t: number) => void): number {
  const startAt = clock.nanos();
  if (rate === "max") {
    for (let id = firstId; id < firstId + count; id++) send(id, startAt);
    return startAt;
  }
  const intervalNanos = 1e9 / rate;
  for (let i = 0; i < count; i++) {
    const intended = startAt + i * intervalNanos;
    while (clock.nanos() < intended) { /* pace by the schedule */ }
    send(firstId + i, intended);
  }
  return startAt;
}

/** Warm-up events (JIT, caches) sent and drained before the measured ones. */
const warmupEvents = (options: HopOptions) => (options.rate === "max" ? 200_000 : Math.max(1000, Math.floor(options.events / 5)));

/** Sends the warm-up events, waits until the receiver has seen them all, then sends the measured ones. */
async function warmThenMeasure(options: HopOptions, send: (id: number, t: number) => void, warm: () => Promise<unknown>): Promise<number> {
  const warmup = warmupEvents(options);
  publish(options.rate, 0, warmup, send);
  await warm();
  return publish(options.rate, warmup, options.events, send);
}

function summarize(transport: HopResult["transport"], options: HopOptions, sentAt: number, received: Received): HopResult {
  if (received.count !== options.events) throw new Error(`${transport}: received ${received.count} of ${options.events} events`);
  const histogram = hdr.decodeFromCompressedBase64(received.histogram);
  const throughput = options.events / ((received.lastAt - sentAt) / 1e9);
  const latency = options.rate !== "max";
  const at = (percentile: number) => (latency ? histogram.getValueAtPercentile(percentile) : 0);
  return {
    transport,
    events: options.events,
    throughput,
    p50Ns: at(50),
    p90Ns: at(90),
    p99Ns: at(99),
    p999Ns: at(99.9),
    maxNs: latency ? histogram.maxValue : 0,
    hgrm: latency ? histogram.outputPercentileDistribution(5, 1000) : "",
  };
}

/** The engine's path: memory feed → ring → handler on a worker agent. */
export async function ringHop(options: HopOptions): Promise<HopResult> {
  const server = await MongooseServer.boot({
    eventFeeds: [{ name: "bench", type: "memory", broadcast: true }],
    eventSinks: [{ name: "results", type: "memory" }],
    eventHandlers: [{
      agentName: "consumer",
      idleStrategy: options.idle,
      eventHandlers: { recorder: { handler: new URL("./latency-handler.ts", import.meta.url).href, configMap: { warmupEvents: warmupEvents(options) } } },
    }],
  }, { logLevel: "warn" });
  const feed = server.feed("bench");
  const results = server.sink<Received | "warm">("results");
  const sentAt = await warmThenMeasure(options, (id, t) => feed.offer(benchEvent(id, t)), () => results.waitFor(1, 60_000));
  await server.stop();
  return summarize("ring", options, sentAt, results.values()[1] as Received);
}

/** The baseline: the same events by postMessage (structured clone) to a worker. */
export async function postMessageHop(options: HopOptions): Promise<HopResult> {
  const worker = runtime.spawnWorker(new URL("./post-message-worker.ts", import.meta.url).href, "post-message-baseline");
  let next: (message: unknown) => void = () => {};
  worker.onMessage((message) => next(message));
  const reply = () => new Promise<unknown>((resolve) => (next = resolve));
  const ready = reply();
  worker.post({ init: { epoch: clock.epochOriginMs, warmupEvents: warmupEvents(options) } });
  await ready;
  const warm = reply();
  const sentAt = await warmThenMeasure(options, (id, t) => worker.post(benchEvent(id, t)), () => warm);
  const done = reply();
  worker.post({ done: true });
  const received = (await done) as Received;
  worker.terminate();
  return summarize("postMessage", options, sentAt, received);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rate: { type: "string", default: "max" },
      seconds: { type: "string", default: "3" },
      events: { type: "string" },
      idle: { type: "string", default: "busySpin" },
      json: { type: "boolean", default: false },
      "hgrm-dir": { type: "string" },
    },
  });
  const rate = values.rate === "max" ? "max" : Number(values.rate);
  const events = Number(values.events ?? (rate === "max" ? 2_000_000 : Math.round(rate * Number(values.seconds))));
  const options: HopOptions = { rate, events, idle: values.idle as HopOptions["idle"] };
  const ring = await ringHop(options);
  const baseline = await postMessageHop(options);
  const label = `${runtime.name}-${rate === "max" ? "max" : `${rate}`}-${options.idle}`;
  if (values["hgrm-dir"] && rate !== "max") {
    writeFileSync(join(values["hgrm-dir"], `${label}-ring.hgrm`), ring.hgrm);
    writeFileSync(join(values["hgrm-dir"], `${label}-postMessage.hgrm`), baseline.hgrm);
  }
  const strip = ({ hgrm: _hgrm, ...rest }: HopResult) => rest;
  const report = { runtime: runtime.name, version: runtime.version, rate, idle: options.idle, events, ring: strip(ring), baseline: strip(baseline) };
  if (values.json) console.log(JSON.stringify(report));
  else {
    for (const r of [ring, baseline]) {
      const us = (ns: number) => (ns / 1000).toFixed(2);
      console.log(`${runtime.name} ${r.transport.padEnd(11)} ${(r.throughput / 1e6).toFixed(2)} M events/s` +
        (rate === "max" ? "" : `  p50 ${us(r.p50Ns)} µs  p99 ${us(r.p99Ns)} µs  p99.9 ${us(r.p999Ns)} µs  max ${us(r.maxNs)} µs`));
    }
  }
  process.exit(0);
}
