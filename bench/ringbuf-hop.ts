/**
 * A comparison point for our ring: the `ringbuf.js` package (Paul Adenot's wait-free SPSC ring over a
 * SharedArrayBuffer) moving a fixed 40-byte record (`ringbuf-wire.ts`) one hop, from a producer worker to a
 * consumer worker; this thread only coordinates. Both workers busy-spin.
 *
 * ringbuf.js is used as a `Float64Array` ring, five words per record, batched on both sides the way the
 * engine's hop in src/bench/one-hop.ts is: each producer cycle `push()`es the events that are due in one call
 * (up to 256; one at a time when paced below ~1 M/s), as the engine's publisher flushes once per duty cycle,
 * and the consumer `pop()`s up to 256 records per call, as the engine's consumer polls a batch. Float64
 * words rather than bytes because ringbuf.js copies element by element: 5 copies per record instead of 40.
 *
 *   bun bench/ringbuf-hop.ts [--rate N|max] [--seconds S | --events N] [--warmup N] [--json] [--hgrm FILE]
 *   deno run -A bench/ringbuf-hop.ts …same options…
 *
 * Warm-up events (200 k for `--rate max`, 20 % of a paced run) are sent and drained first. `--rate max`
 * sends back to back for S seconds (default 5) or N events; throughput is events divided by the time from
 * the first send to the last receive. A paced rate sends event i at `start + i / rate` and records the
 * latency from that intended time to the consumer's receive (coordinated omission accounted for). Back to
 * back, one event in 64 is timed from its batch's send time, as src/bench/one-hop.ts does. `--hgrm` writes
 * the percentile distribution in µs.
 *
 * Timestamps are `ServerClock` nanoseconds since this thread's `performance.timeOrigin` (Unix-epoch
 * nanoseconds would not do: a float64 near 1.7e18 only resolves 256 ns). The consumer's clock is calibrated
 * against the producer's by ping-pong (clock-calibration.ts): one calibration between the two ends.
 */
import * as hdr from "hdr-histogram-js";
import { writeFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import { RingBuffer } from "ringbuf.js";
import { type LatencyPercentiles, latencyPercentiles } from "../src/bench/histogram.ts";
import { allocateCalibration } from "../src/time/clock-calibration.ts";
import { runtime } from "../src/runtime/mod.ts";
import type { ConsumerReport, ProducerReport, RunPlan, WorkerCommand } from "./ringbuf-wire.ts";
import { RECORD_WORDS } from "./ringbuf-wire.ts";

/** Records the ring holds: ~256 KiB, the engine's default ring size. */
const RING_RECORDS = 6553;

/** What one run asks for. */
export interface RingbufOptions {
  /** Events per second, or "max" for back to back. */
  rate: number | "max";
  /** Measured events, or `Infinity` to send for `maxSeconds`. */
  events: number;
  /** Back-to-back runs stop sending after this long; `Infinity` to send exactly `events`. */
  maxSeconds: number;
  warmupEvents: number;
}

/** What one run achieved (latencies in ns). */
export interface RingbufResult extends LatencyPercentiles {
  transport: "ringbuf.js";
  runtime: string;
  rate: number | "max";
  /** Measured span: first send to last receive. */
  seconds: number;
  events: number;
  throughput: number;
}

/** A worker whose messages are awaited one at a time; if it dies, the pending (or next) wait rejects. */
function spawnBenchWorker(file: string) {
  const handle = runtime.spawnWorker(new URL(file, import.meta.url).href, file);
  const inbox: unknown[] = [];
  let waiting: { resolve(message: unknown): void; reject(error: Error): void } | undefined;
  let failure: Error | undefined;
  handle.onMessage((message) => {
    if (waiting) waiting.resolve(message);
    else inbox.push(message);
    waiting = undefined;
  });
  handle.onExit((reason) => {
    failure = new Error(`${file}: ${reason}`);
    waiting?.reject(failure);
  });
  return {
    post: handle.post,
    terminate: handle.terminate,
    next(): Promise<unknown> {
      if (inbox.length > 0) return Promise.resolve(inbox.shift());
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => (waiting = { resolve, reject }));
    },
  };
}

/** Runs one producer → ringbuf.js → consumer hop; also returns the latency histogram (ns). */
export async function ringbufHop(options: RingbufOptions): Promise<{ result: RingbufResult; histogram: hdr.Histogram }> {
  // Capacity (usable words) a multiple of the record size: free space is then always whole records, so
  // push() of one record is all or nothing.
  const ring = RingBuffer.getStorageForCapacity(RING_RECORDS * RECORD_WORDS, Float64Array);
  const plan: RunPlan = { ring, rate: options.rate, warmupEvents: options.warmupEvents, events: options.events, maxSeconds: options.maxSeconds };
  const consumer = spawnBenchWorker("./ringbuf-consumer.ts");
  const producer = spawnBenchWorker("./ringbuf-producer.ts");
  try {
    await Promise.all([consumer.next(), producer.next()]); // "ready"
    const calibration: WorkerCommand = { calibrate: allocateCalibration(), epochOriginMs: performance.timeOrigin };
    consumer.post(calibration);
    producer.post(calibration);
    await Promise.all([consumer.next(), producer.next()]); // "calibrated"
    const received = consumer.next() as Promise<ConsumerReport>;
    const sent = producer.next() as Promise<ProducerReport>;
    const run: WorkerCommand = { run: plan };
    consumer.post(run);
    producer.post(run);
    const [producerReport, consumerReport] = await Promise.all([sent, received]);
    if (consumerReport.count !== producerReport.sent) throw new Error(`received ${consumerReport.count} of ${producerReport.sent} events`);
    const histogram = hdr.decodeFromCompressedBase64(consumerReport.histogram);
    const span = consumerReport.lastAt - producerReport.startAt;
    const result: RingbufResult = {
      transport: "ringbuf.js",
      runtime: runtime.name,
      rate: options.rate,
      seconds: span / 1e9,
      events: consumerReport.count,
      throughput: consumerReport.count / (span / 1e9),
      ...latencyPercentiles(histogram),
    };
    return { result, histogram };
  } finally {
    consumer.terminate();
    producer.terminate();
  }
}

/** Turns the command line into run options (see the module comment). */
function parseOptions(args: string[]): RingbufOptions & { json: boolean; hgrm?: string } {
  const { values } = parseArgs({
    args,
    options: {
      rate: { type: "string", default: "max" },
      seconds: { type: "string", default: "5" },
      events: { type: "string" },
      warmup: { type: "string" },
      json: { type: "boolean", default: false },
      hgrm: { type: "string" },
    },
  });
  const rate = values.rate === "max" ? "max" : Number(values.rate);
  if (rate !== "max" && !(rate > 0 && Number.isFinite(rate))) throw new Error(`--rate must be "max" or a positive number, not ${values.rate}`);
  const seconds = Number(values.seconds);
  if (!(seconds > 0)) throw new Error(`--seconds must be positive, not ${values.seconds}`);
  let events = values.events === undefined ? Infinity : Number(values.events);
  if (values.events !== undefined && !(Number.isInteger(events) && events > 0)) throw new Error(`--events must be a positive integer, not ${values.events}`);
  if (rate !== "max" && events === Infinity) events = Math.round(rate * seconds);
  // A time limit only applies to back-to-back runs without --events; a paced run's length is its schedule.
  const maxSeconds = rate === "max" && events === Infinity ? seconds : Infinity;
  const warmupEvents = values.warmup !== undefined ? Number(values.warmup) : rate === "max" ? 200_000 : Math.max(1000, Math.floor(events / 5));
  if (!(Number.isInteger(warmupEvents) && warmupEvents >= 0)) throw new Error(`--warmup must be a non-negative integer, not ${values.warmup}`);
  return { rate, events, maxSeconds, warmupEvents, json: values.json, hgrm: values.hgrm };
}

if (import.meta.main) {
  const options = parseOptions(process.argv.slice(2));
  const { result, histogram } = await ringbufHop(options);
  // Same unit as src/bench/one-hop.ts's .hgrm files: values recorded in ns, written in µs (scaling ratio 1000).
  if (options.hgrm) writeFileSync(options.hgrm, histogram.outputPercentileDistribution(5, 1000));
  if (options.json) console.log(JSON.stringify(result));
  else {
    const us = (ns: number) => (ns / 1000).toFixed(2);
    console.log(`${runtime.name} ringbuf.js ${(result.throughput / 1e6).toFixed(2)} M events/s (${result.events} events)` +
      `  p50 ${us(result.p50Ns)} µs  p99 ${us(result.p99Ns)} µs  p99.9 ${us(result.p999Ns)} µs  max ${us(result.maxNs)} µs`);
  }
  process.exit(0);
}
