/**
 * Scaling benchmark: how the engine's cost grows as the work grows. Every point moves the fixed-layout
 * BENCH_TICK from `BenchFeed` publishers (src/bench/bench-feed.ts) (busy-spinning agents) to `LatencyRecorder`
 * receivers (src/bench/latency-handler.ts) and reports the events/s through each receiver, the deliveries/s over all of them, and the
 * one-way latency (p50, p99) of all receivers' histograms merged.
 *
 * - `handlers`: one feed, N recorders on ONE receiving agent. One ring: the agent decodes each record once
 *   (a flyweight wrap) and hands the same value to every handler (src/core/host/feed-delivery.ts).
 * - `agents`: one feed, one recorder on each of N receiving agents. One ring per agent: the event is
 *   encoded once and its bytes copied into every ring (src/core/event-outlet.ts, `writeToAll`); with two
 *   or more rings the publisher cannot write in place (`claim` needs a single target).
 * - `feeds`: N feeds into one recorder (it subscribes to all of them), the feeds sharing one publisher
 *   agent, and once on N publisher agents; each feed publishes 1/N of a paced rate.
 * - `chain`: a feed, then N pipes (`bench/pipe-relay.ts` forwards each event to the next pipe), then the
 *   recorder; every relay on its own agent (each pipe hop is a ring), or every relay and the recorder on
 *   one agent (pipe hops through the agent's local queue).
 *
 * Points run round-robin, one run of each per round, so every point sees the same machine; each number
 * is the median over `--runs` rounds. It writes `bench/results/scaling-<runtime>.json` and `.svg`, and
 * `bench/results/scaling.md` from the JSON of every runtime run so far.
 *
 *   bun bench/scaling.ts [--seconds 2] [--warmup 0.5] [--runs 3] [--rates max[,100000]] [--only handlers,agents,feeds,chain]
 *   deno run -A bench/scaling.ts …
 *   bun bench/scaling.ts --replot     # only redraws the plots and scaling.md from the saved JSON
 *
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import * as hdr from "hdr-histogram-js";
import type { IdleStrategySpec } from "../src/agent/idle-strategy.ts";
import { BENCH_TICK } from "../src/bench/bench-event.ts";
import type { ReceiverReport } from "../src/bench/latency-handler.ts";
import { BENCH_FEED_URL, BENCH_HANDLER_URL } from "../src/entry-urls.ts";
import { runtime } from "../src/runtime/mod.ts";
import { MongooseServer } from "../src/mod.ts";
import { median } from "./child-runs.ts";
import { scalingPlotSvg } from "./scaling-plot.ts";

type Idle = IdleStrategySpec["type"];

/** The four ways the work grows. */
export type Scenario = "handlers" | "agents" | "feeds" | "chain";

/** One configuration: what runs on which agent. */
export interface ScalingPoint {
  scenario: Scenario;
  /** How it is shown: `4 handlers`, `4 agents (blocking)`… */
  label: string;
  /** The quantity that grows (handlers, agents, feeds or hops). */
  n: number;
  /** Idle strategy of every agent that is not a publisher. */
  idle: Idle;
  /** Agent threads this configuration runs (publishers busy-spin). */
  agents: AgentSpec[];
  feeds: { name: string; agent: string }[];
  pipes: string[];
  handlers: { agent: string; name: string; module: string; config: Record<string, unknown> }[];
}

interface AgentSpec {
  name: string;
  idle: Idle;
}

/** What a run of a point measured. */
export interface PointRun {
  /** Events/s through the slowest receiver (the feed's rate; for `feeds`, all feeds together). */
  eventsPerSecond: number;
  /** Events/s summed over every receiver. */
  deliveriesPerSecond: number;
  p50Ns: number;
  p99Ns: number;
  /** Measured events counted by each receiver. */
  counts: number[];
}

/** Medians of one point's runs. */
export interface PointResult {
  scenario: Scenario;
  label: string;
  n: number;
  idle: Idle;
  threads: number;
  rate: number | "max";
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  p50Ns: number;
  p99Ns: number;
  runs: PointRun[];
}

/** One runtime's whole report. */
export interface ScalingReport {
  runtime: string;
  command: string;
  date: string;
  seconds: number;
  warmupSeconds: number;
  runs: number;
  points: PointResult[];
}

/** Options of a run of points. */
export interface ScalingOptions {
  seconds: number;
  warmupSeconds: number;
  /** Events per second of the whole workload (split over the feeds), or "max". */
  rate: number | "max";
  /** Events per duty cycle, publishers' and receivers' (default 256, as in the one-hop bench). */
  batch?: number;
  /** Measured events per feed instead of `seconds` of them (for a count check). */
  events?: number;
}

const PUBLISHER = "publisher";
const RELAY_URL = new URL("./pipe-relay.ts", import.meta.url).href;
/** As in src/bench/one-hop.ts: at "max" one latency in 64 is recorded (a clock read costs more than a hop). */
const MAX_RATE_SAMPLE_EVERY = 64;
/** Deno type-checks each worker's modules; with many agents on a loaded 2-core machine boot takes a while. */
const BOOT_WAIT_MS = 180_000;

const recorder = (agent: string, name: string, subscribe: string[]) => ({ agent, name, module: BENCH_HANDLER_URL, config: { subscribe } });

/** N recorders on one receiving agent, all fed by one feed. */
function handlersPoint(n: number, idle: Idle = "busySpin"): ScalingPoint {
  return {
    scenario: "handlers", label: `${n} handler${n > 1 ? "s" : ""}`, n, idle,
    agents: [{ name: PUBLISHER, idle: "busySpin" }, { name: "receiver", idle }],
    feeds: [{ name: "ticks", agent: PUBLISHER }],
    pipes: [],
    handlers: Array.from({ length: n }, (_, i) => recorder("receiver", `recorder-${i}`, ["ticks"])),
  };
}

/** One recorder on each of N receiving agents, all fed by one feed. */
function agentsPoint(n: number, idle: Idle = "busySpin"): ScalingPoint {
  const receivers = Array.from({ length: n }, (_, i) => `receiver-${i}`);
  return {
    scenario: "agents", label: `${n} agent${n > 1 ? "s" : ""}${idle === "busySpin" ? "" : ` (${idle})`}`, n, idle,
    agents: [{ name: PUBLISHER, idle: "busySpin" }, ...receivers.map((name) => ({ name, idle }))],
    feeds: [{ name: "ticks", agent: PUBLISHER }],
    pipes: [],
    handlers: receivers.map((agent, i) => recorder(agent, `recorder-${i}`, ["ticks"])),
  };
}

/** N feeds into one recorder; the feeds share one publisher agent, or each has its own. */
function feedsPoint(n: number, publisherPerFeed = false): ScalingPoint {
  const feeds = Array.from({ length: n }, (_, i) => ({ name: `ticks-${i}`, agent: publisherPerFeed ? `${PUBLISHER}-${i}` : PUBLISHER }));
  const publishers = [...new Set(feeds.map((feed) => feed.agent))];
  return {
    scenario: "feeds", label: `${n} feed${n > 1 ? "s" : ""}${publisherPerFeed && n > 1 ? ` on ${n} publishers` : ""}`, n, idle: "busySpin",
    agents: [...publishers.map((name) => ({ name, idle: "busySpin" as Idle })), { name: "receiver", idle: "busySpin" }],
    feeds,
    pipes: [],
    handlers: [recorder("receiver", "recorder", feeds.map((feed) => feed.name))],
  };
}

/** A feed, N pipes with a relay before each, then the recorder: relays each on an agent, or all on one. */
function chainPoint(hops: number, oneAgent: boolean, idle: Idle = "busySpin"): ScalingPoint {
  const pipes = Array.from({ length: hops }, (_, i) => `hop-${i + 1}`);
  const relayAgent = (i: number) => (oneAgent ? "receiver" : `relay-${i + 1}`);
  const agents = oneAgent ? ["receiver"] : [...pipes.map((_, i) => relayAgent(i)), "receiver"];
  return {
    scenario: "chain", label: `${hops} pipe${hops > 1 ? "s" : ""}${oneAgent ? ", one agent" : ""}${idle === "busySpin" ? "" : ` (${idle})`}`, n: hops, idle,
    agents: [{ name: PUBLISHER, idle: "busySpin" }, ...agents.map((name) => ({ name, idle }))],
    feeds: [{ name: "ticks", agent: PUBLISHER }],
    pipes,
    handlers: [
      ...pipes.map((pipe, i) => ({ agent: relayAgent(i), name: `relay-${i + 1}`, module: RELAY_URL, config: { from: i === 0 ? "ticks" : pipes[i - 1], to: `${pipe}.sink` } })),
      recorder("receiver", "recorder", [pipes.at(-1)!]),
    ],
  };
}

/** Every configuration the benchmark measures, in table order. */
export const SCALING_POINTS: readonly ScalingPoint[] = [
  ...[1, 2, 4, 8].map((n) => handlersPoint(n)),
  ...[1, 2, 4].map((n) => agentsPoint(n)),
  agentsPoint(4, "backoff"),
  agentsPoint(4, "blocking"),
  ...[1, 4, 16].map((n) => feedsPoint(n)),
  feedsPoint(4, true),
  ...[1, 2, 4].map((hops) => chainPoint(hops, false)),
  chainPoint(4, false, "backoff"),
  ...[1, 2, 4].map((hops) => chainPoint(hops, true)),
];

/**
 * Boots the point's server, runs it once and returns what its receivers measured.
 *
 * @example
 * ```ts
 * const run = await runPoint(SCALING_POINTS[0], { seconds: 2, warmupSeconds: 0.5, rate: "max" });
 * run.eventsPerSecond;
 * ```
 */
export async function runPoint(point: ScalingPoint, options: ScalingOptions): Promise<PointRun> {
  const batch = options.batch ?? 256;
  const feedRate = options.rate === "max" ? 0 : options.rate / point.feeds.length;
  const sampleEvery = options.rate === "max" ? MAX_RATE_SAMPLE_EVERY : 1;
  const byAgent = new Map<string, Record<string, { handler: string; configMap: Record<string, unknown> }>>();
  for (const handler of point.handlers) {
    const handlers = byAgent.get(handler.agent) ?? {};
    handlers[handler.name] = { handler: handler.module, configMap: { sampleEvery, ...handler.config } };
    byAgent.set(handler.agent, handlers);
  }
  const server = await MongooseServer.boot({
    eventTypes: [BENCH_TICK],
    agentThreads: point.agents.map((agent) => ({ agentName: agent.name, idleStrategy: agent.idle, batchSize: batch })),
    eventFeeds: point.feeds.map((feed) => ({
      name: feed.name,
      type: "module",
      module: BENCH_FEED_URL,
      agentName: feed.agent,
      broadcast: false,
      eventType: BENCH_TICK.name,
      config: { struct: true, rate: feedRate, warmupNanos: options.warmupSeconds * 1e9, events: options.events ?? 0, measureNanos: options.seconds * 1e9, batch },
    })),
    pipes: point.pipes.map((name) => ({ name, broadcast: false, eventType: BENCH_TICK.name })),
    eventSinks: [{ name: "results", type: "memory" }],
    eventHandlers: [...byAgent].map(([agentName, eventHandlers]) => ({ agentName, eventHandlers })),
  }, { logLevel: "warn", requestTimeoutMs: BOOT_WAIT_MS });
  let reports: ReceiverReport[];
  try {
    const receivers = point.handlers.filter((handler) => handler.module === BENCH_HANDLER_URL).length;
    const results = server.sink<ReceiverReport>("results");
    await results.waitFor(receivers, (options.warmupSeconds + options.seconds) * 1000 + 120_000);
    reports = results.values();
  } finally {
    await server.stop();
  }
  const rates = reports.map((report) => report.count / ((report.lastReceivedAt - report.firstSentAt) / 1e9));
  const merged = reports.map((report) => hdr.decodeFromCompressedBase64(report.histogram)).reduce((all, one) => (all.add(one), all));
  return {
    eventsPerSecond: Math.min(...rates),
    deliveriesPerSecond: rates.reduce((sum, rate) => sum + rate, 0),
    p50Ns: merged.getValueAtPercentile(50),
    p99Ns: merged.getValueAtPercentile(99),
    counts: reports.map((report) => report.count),
  };
}

/**
 * Runs `points` round-robin `runs` times at `options.rate` and returns each point's medians.
 *
 * @example
 * ```ts
 * const results = await measure(SCALING_POINTS.filter((p) => p.scenario === "agents"), { seconds: 2, warmupSeconds: 0.5, rate: "max" }, 3);
 * ```
 */
export async function measure(points: readonly ScalingPoint[], options: ScalingOptions, runs: number, progress?: (line: string) => void): Promise<PointResult[]> {
  const measured: PointRun[][] = points.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [i, point] of points.entries()) {
      const run = await runPoint(point, options);
      measured[i].push(run);
      progress?.(`${runtime.name} rate ${options.rate} round ${round + 1}/${runs} ${point.scenario}: ${point.label}: ${(run.eventsPerSecond / 1e6).toFixed(2)} M/s, p50 ${(run.p50Ns / 1e3).toFixed(1)} µs`);
    }
  }
  return points.map((point, i) => ({
    scenario: point.scenario,
    label: point.label,
    n: point.n,
    idle: point.idle,
    threads: point.agents.length,
    rate: options.rate,
    eventsPerSecond: median(measured[i].map((run) => run.eventsPerSecond)),
    deliveriesPerSecond: median(measured[i].map((run) => run.deliveriesPerSecond)),
    p50Ns: median(measured[i].map((run) => run.p50Ns)),
    p99Ns: median(measured[i].map((run) => run.p99Ns)),
    runs: measured[i],
  }));
}

const millions = (perSecond: number) => `${(perSecond / 1e6).toFixed(2)} M/s`;
const micros = (nanos: number) => (nanos >= 10_000 ? (nanos / 1e3).toFixed(0) : (nanos / 1e3).toFixed(2));

/** The Markdown table of one runtime's points: ratios are to the first point of each scenario at the same rate. */
function table(report: ScalingReport): string {
  const lines = [
    `### ${report.runtime}`,
    "",
    "| scenario | configuration | agent threads | rate | events/s (per receiver) | × first | deliveries/s | p50 µs | p99 µs |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const point of report.points) {
    const first = report.points.find((p) => p.scenario === point.scenario && p.rate === point.rate)!;
    lines.push(`| ${point.scenario} | ${point.label} | ${point.threads} | ${point.rate} | ${millions(point.eventsPerSecond)} | ${(point.eventsPerSecond / first.eventsPerSecond).toFixed(2)}× | ${millions(point.deliveriesPerSecond)} | ${micros(point.p50Ns)} | ${micros(point.p99Ns)} |`);
  }
  return lines.join("\n");
}

/** scaling.md from the reports of every runtime run so far. */
function markdown(reports: ScalingReport[]): string {
  const commands = reports.map((report) => `- ${report.runtime} (${report.date}): \`${report.command}\``).join("\n");
  const first = reports[0];
  return `# Scaling: cost as the work grows

Commands:
${commands}

Medians of ${first.runs} rounds (points run round-robin, one run each per round) of ${first.seconds} s after a ${first.warmupSeconds} s warm-up; fixed-layout 40-byte ticks, batch 256, publishers busy-spin. Events/s is through the slowest receiver (for \`feeds\`: all feeds together); deliveries/s sums every receiver. Latency is one-way from the intended send time, all receivers' histograms merged; at \`max\` it is queueing time in full rings and one event in 64 is sampled. This machine has 2 shared vCPUs: compare rows of one table, not runs; ±40 % between runs is normal. What the rows show and what limits them: README.md, Performance, **Scaling**.

${reports.map(table).join("\n\n")}

![scaling on Bun](scaling-bun.svg)
![scaling on Deno](scaling-deno.svg)
`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      seconds: { type: "string", default: "2" },
      warmup: { type: "string", default: "0.5" },
      runs: { type: "string", default: "3" },
      rates: { type: "string", default: "max" },
      only: { type: "string" },
      replot: { type: "boolean", default: false },
    },
  });
  const dir = join(import.meta.dirname!, "results");
  const saved = () => ["bun", "deno"].map((name) => join(dir, `scaling-${name}.json`)).filter(existsSync).map((file) => JSON.parse(readFileSync(file, "utf8")) as ScalingReport);
  if (values.replot) {
    for (const report of saved()) writeFileSync(join(dir, `scaling-${report.runtime}.svg`), scalingPlotSvg(report));
    writeFileSync(join(dir, "scaling.md"), markdown(saved()));
    process.exit(0);
  }
  const scenarios = values.only?.split(",");
  const unknown = scenarios?.filter((s) => !SCALING_POINTS.some((p) => p.scenario === s)) ?? [];
  const rates = values.rates!.split(",").map((rate) => (rate === "max" ? "max" as const : Number(rate)));
  const numbers = [values.seconds, values.warmup, values.runs].map(Number);
  if (unknown.length > 0 || rates.some((rate) => rate !== "max" && !(rate > 0)) || numbers.some((n) => !(n > 0))) {
    console.error(`usage: bun bench/scaling.ts [--seconds S] [--warmup S] [--runs N] [--rates max,100000] [--only handlers,agents,feeds,chain]${unknown.length ? ` (unknown scenario: ${unknown.join(", ")})` : ""}`);
    process.exit(2);
  }
  const [seconds, warmupSeconds, runs] = numbers;
  const points = SCALING_POINTS.filter((point) => scenarios === undefined || scenarios.includes(point.scenario));
  const results: PointResult[] = [];
  for (const rate of rates) results.push(...await measure(points, { seconds, warmupSeconds, rate }, runs, (line) => console.error(line)));
  const command = `${runtime.name === "deno" ? "deno run -A" : "bun"} bench/scaling.ts ${process.argv.slice(2).join(" ")}`.trim();
  const report: ScalingReport = { runtime: runtime.name, command, date: new Date().toISOString().slice(0, 10), seconds, warmupSeconds, runs, points: results };
  writeFileSync(join(dir, `scaling-${runtime.name}.json`), JSON.stringify(report, null, 2) + "\n");
  writeFileSync(join(dir, `scaling-${runtime.name}.svg`), scalingPlotSvg(report));
  writeFileSync(join(dir, "scaling.md"), markdown(saved()));
  console.log(table(report));
  process.exit(0);
}
