/**
 * `mongoose bench`: one hop, publisher agent → ring → handler on another agent, measured for
 * throughput and one-way latency; with `baseline`, the same ticks by postMessage to a worker in the same
 * run. Both sides use the same publisher ({@link BenchFeed}) and receiver ({@link LatencyRecorder}).
 *
 * The publisher's agent always busy-spins (it paces by the schedule); `idle` is the receiving agent's
 * strategy, which is what decides how fast a sleeping consumer wakes.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import type { IdleStrategySpec } from "../agent/idle-strategy.ts";
import type { FeedContext } from "../core/plugin-api.ts";
import { BENCH_FEED_URL, BENCH_HANDLER_URL, BENCH_POST_MESSAGE_WORKER_URL } from "../entry-urls.ts";
import { ServerClock } from "../time/clock.ts";
import { runtime } from "../runtime/mod.ts";
import { MongooseServer } from "../server.ts";
import { BENCH_TICK } from "./bench-event.ts";
import BenchFeed from "./bench-feed.ts";
import { latencyPercentiles } from "./histogram.ts";
import type { ReceiverReport } from "./latency-handler.ts";

/** What to measure. */
export interface BenchOptions {
  /** Events per second, or "max" (back to back). */
  rate: number | "max";
  /** Length of the measured part (ignored when `events` is set). */
  seconds: number;
  /** Measured events; by default `rate × seconds`, or as many as fit in `seconds` at "max". */
  events?: number;
  /** Warm-up before measuring, at the same rate. */
  warmupSeconds: number;
  codec: "struct" | "json";
  idle: IdleStrategySpec["type"];
  /** Events per duty cycle: the receiver's batch and the publisher's per-cycle publish. */
  batch: number;
  baseline: boolean;
  /** The server's own per-handler latency recording on the receiving handler: off, or one event in N (default: the server's default). */
  handlerLatency?: "off" | number;
  /** A folder to journal the receiving handler into (`journal:`); absent: no journal. */
  journal?: string;
  /** Struct ticks go out as one claimed batch per publisher duty cycle (`ctx.claimBatch`) instead of one claim each. */
  batchClaim?: boolean;
}

/** The latency summary of one transport. */
export interface HopSummary {
  throughput: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
}

/** The `--json` report (the contract in DESIGN.md and the performance issue). */
export interface BenchReport extends HopSummary {
  runtime: string;
  codec: BenchOptions["codec"];
  idle: string;
  rate: number | "max";
  seconds: number;
  events: number;
  /** The server's per-handler latency recording during the run: off, or one event in N. */
  handlerLatency: "off" | number;
  /** Whether the receiving handler was journaled. */
  journaled: boolean;
  /** Whether the publisher claimed its ticks in batches. */
  batchClaim: boolean;
  /**
   * Events delivered in each whole second of the measured run: a run that changed speed part way (a
   * slow period of the machine) shows here, where the average hides it.
   */
  perSecond: number[];
  /** The measured span: first event's send time to the last event's arrival. */
  wallSeconds: number;
  /**
   * CPU time of the publishing and receiving threads over the measured run (Linux; null elsewhere). With
   * busy-spinning threads both are close to `wallSeconds`; a thread that lost its core to another runnable
   * thread shows as less.
   */
  publisherCpuSeconds: number | null;
  receiverCpuSeconds: number | null;
  p90Ns: number;
  p9999Ns: number;
  /** Heap growth over the measured events, publisher and receiver threads together. */
  heapGrowthBytes: number;
  baseline?: HopSummary;
}

/** A run's report and its latency distribution in .hgrm text (values in µs, as HdrHistogram plotters expect). */
export interface BenchRun {
  report: BenchReport;
  hgrm: string;
  baselineHgrm?: string;
  /** Whether heaps were collected before being measured (not on Deno without --expose-gc). */
  heapCollected: boolean;
}

/** What the server records when the configuration does not say (`latency.sampleEvery`'s default). */
const DEFAULT_HANDLER_LATENCY = 64;

/** Unpaced runs record one latency in this many events (a power of two). */
const MAX_RATE_SAMPLE_EVERY = 64;

function feedConfig(options: BenchOptions) {
  return {
    struct: options.codec === "struct",
    rate: options.rate === "max" ? 0 : options.rate,
    warmupNanos: options.warmupSeconds * 1e9,
    events: options.events ?? (options.rate === "max" ? 0 : Math.round(options.rate * options.seconds)),
    measureNanos: options.seconds * 1e9,
    batch: options.batch,
    batchClaim: options.batchClaim === true,
  };
}

const sampleEvery = (options: BenchOptions) => (options.rate === "max" ? MAX_RATE_SAMPLE_EVERY : 1);

function summarize(received: ReceiverReport): { summary: HopSummary & { p90Ns: number; p9999Ns: number }; hgrm: string } {
  const histogram = hdr.decodeFromCompressedBase64(received.histogram);
  return {
    summary: {
      throughput: received.count / ((received.lastReceivedAt - received.firstSentAt) / 1e9),
      ...latencyPercentiles(histogram),
    },
    hgrm: histogram.outputPercentileDistribution(5, 1000),
  };
}

/** The engine's hop: the bench feed on one agent, the recorder on another. */
async function engineHop(options: BenchOptions): Promise<ReceiverReport> {
  const server = await MongooseServer.boot({
    eventTypes: [BENCH_TICK],
    agentThreads: [
      { agentName: "bench-publisher", idleStrategy: "busySpin", batchSize: options.batch },
      { agentName: "bench-receiver", idleStrategy: options.idle, batchSize: options.batch },
    ],
    eventFeeds: [{
      name: "ticks",
      type: "module",
      module: BENCH_FEED_URL,
      agentName: "bench-publisher",
      broadcast: true,
      eventType: options.codec === "struct" ? BENCH_TICK.name : undefined,
      config: feedConfig(options),
    }],
    eventSinks: [{ name: "results", type: "memory" }],
    eventHandlers: [{
      agentName: "bench-receiver",
      eventHandlers: { recorder: { handler: BENCH_HANDLER_URL, configMap: { sampleEvery: sampleEvery(options) } } },
    }],
    latency: options.handlerLatency === "off" ? { enabled: false } : { sampleEvery: options.handlerLatency },
    journal: options.journal === undefined ? undefined : { dir: options.journal, handlers: ["recorder"] },
  }, { logLevel: "warn" });
  try {
    const results = server.sink<ReceiverReport>("results");
    await results.waitFor(1, (options.warmupSeconds + options.seconds) * 1000 + 120_000);
    return results.values()[0];
  } finally {
    await server.stop();
  }
}

/** The baseline: the same publisher on this thread, each tick posted (structured clone) to a worker. */
async function postMessageHop(options: BenchOptions): Promise<ReceiverReport> {
  const worker = runtime.spawnWorker(BENCH_POST_MESSAGE_WORKER_URL, "bench-post-message");
  let next: (message: unknown) => void = () => {};
  worker.onMessage((message) => next(message));
  const reply = () => new Promise<unknown>((resolve) => (next = resolve));
  try {
    const clock = new ServerClock(performance.timeOrigin);
    const ready = reply();
    worker.post({ init: { epochOriginMs: clock.epochOriginMs, sampleEvery: sampleEvery(options) } });
    await ready;
    let complete = false;
    const context = {
      clock,
      config: { ...feedConfig(options), struct: false },
      publish: (tick: unknown) => (worker.post(tick), true),
      complete: () => (complete = true),
    };
    const feed = new BenchFeed();
    feed.init(context as unknown as FeedContext);
    feed.startComplete();
    const report = reply();
    while (!complete) feed.doWork();
    return await report as ReceiverReport;
  } finally {
    worker.terminate();
  }
}

/**
 * Runs the benchmark.
 *
 * @example
 * ```ts
 * const { report } = await runOneHop({ rate: 100_000, seconds: 5, warmupSeconds: 1, codec: "struct", idle: "busySpin", batch: 256, baseline: true });
 * report.p99Ns;
 * ```
 */
export async function runOneHop(options: BenchOptions): Promise<BenchRun> {
  const engine = await engineHop(options);
  const { summary, hgrm } = summarize(engine);
  const run: BenchRun = {
    report: {
      runtime: runtime.name,
      codec: options.codec,
      idle: options.idle,
      rate: options.rate,
      seconds: options.seconds,
      events: engine.count,
      handlerLatency: options.handlerLatency ?? DEFAULT_HANDLER_LATENCY,
      journaled: options.journal !== undefined,
      batchClaim: options.batchClaim === true,
      perSecond: engine.perSecond,
      wallSeconds: (engine.lastReceivedAt - engine.firstSentAt) / 1e9,
      publisherCpuSeconds: engine.publisherCpuSeconds ?? null,
      receiverCpuSeconds: engine.receiverCpuSeconds ?? null,
      ...summary,
      heapGrowthBytes: engine.publisherHeapGrowth + engine.receiverHeapGrowth,
    },
    hgrm,
    heapCollected: engine.heapCollected,
  };
  if (options.baseline) {
    const { summary: { throughput, p50Ns, p99Ns, p999Ns, maxNs }, hgrm: baselineHgrm } = summarize(await postMessageHop(options));
    run.report.baseline = { throughput, p50Ns, p99Ns, p999Ns, maxNs };
    run.baselineHgrm = baselineHgrm;
  }
  return run;
}
