/**
 * Soak benchmark: sustained load over several feeds and agents. Each feed runs on its own worker agent
 * and publishes consecutive numbers at its share of `--rate` for `--seconds`; every handler agent
 * subscribes to every feed (broadcast), so each event is delivered once per handler agent. Every
 * `--every` seconds it prints events in (published), out (handled), drops by reason (the feeds' own and,
 * with a lossy `--on-full` policy on small rings, what each policy dropped), and
 * the process's RSS and main-thread heap; at the end, after the draining stop, it checks that
 * out = in × handler agents − drops and reports the memory slope over the run (least squares on RSS).
 *
 *   bun bench/soak.ts [--rate 1000000] [--seconds 60] [--feeds 4] [--handlers 2] [--every 5] [--idle backoff]
 *                     [--on-full block|dropNewest|dropOldest|disconnect] [--ring-capacity BYTES] [--json]
 *   deno run -A bench/soak.ts …
 *
 * Exit 0 when the counts agree, 1 when they do not.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { MongooseServer } from "../src/mod.ts";

/** Options of one soak run. */
export interface SoakOptions {
  rate: number;
  seconds: number;
  feeds: number;
  handlers: number;
  everySeconds: number;
  idle: string;
  /** The feeds' `onFull` policy (default `block`: nothing dropped). */
  onFull?: "block" | "dropNewest" | "dropOldest" | "disconnect";
  /** The feeds' `ringCapacity` in bytes (default: the server's); small rings make a lossy policy act. */
  ringCapacity?: number;
  /** Called with each progress sample (and the final one); the CLI prints them. */
  onSample?: (sample: SoakSample) => void;
}

/** One progress sample. */
export interface SoakSample {
  atSeconds: number;
  eventsIn: number;
  eventsOut: number;
  drops: Record<string, number>;
  rssBytes: number;
  heapUsedBytes: number;
}

/** What a soak run found. */
export interface SoakReport {
  runtime: string;
  rate: number;
  seconds: number;
  feeds: number;
  handlers: number;
  eventsIn: number;
  eventsOut: number;
  expectedOut: number;
  drops: Record<string, number>;
  countsAgree: boolean;
  achievedRate: number;
  rssSlopeBytesPerSecond: number;
  rssStartBytes: number;
  rssEndBytes: number;
  samples: SoakSample[];
}

/**
 * Counters of events a feed did not deliver, by the reason `/metrics` gives them (none is expected here:
 * feeds and handlers are all alive, and every value maps).
 */
const DROP_COUNTERS: Record<string, string> = {
  consumer_gone: "feed_dropped_total",
  unrouted: "feed_unrouted_total",
  mapper_dropped: "feed_mapper_dropped_total",
};

/**
 * How long an agent may take to answer a boot step. Deno type-checks every worker's modules when run by
 * `deno test`; with several agents on a loaded 2-core machine that took over the default 30 s.
 */
const BOOT_WAIT_MS = 180_000;

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

/**
 * Runs one soak and returns its report.
 *
 * @example
 * ```ts
 * const report = await soak({ rate: 100_000, seconds: 3, feeds: 2, handlers: 2, everySeconds: 1, idle: "backoff" });
 * console.log(report.countsAgree, report.rssSlopeBytesPerSecond);
 * ```
 */
export async function soak(options: SoakOptions): Promise<SoakReport> {
  const feedNames = Array.from({ length: options.feeds }, (_, i) => `load-${i}`);
  const server = await MongooseServer.boot({
    idleStrategy: options.idle as never, // checked by the configuration schema
    eventFeeds: feedNames.map((name) => ({
      name,
      type: "module",
      module: new URL("./soak-feed.ts", import.meta.url).href,
      agentName: `source-${name}`,
      broadcast: true,
      onFull: options.onFull,
      ringCapacity: options.ringCapacity,
      config: { rate: options.rate / options.feeds, seconds: options.seconds },
    })),
    eventSinks: [{ name: "results", type: "memory" }],
    eventHandlers: Array.from({ length: options.handlers }, (_, i) => ({
      agentName: `processor-${i}`,
      eventHandlers: { [`count-${i}`]: { handler: new URL("./count-handler.ts", import.meta.url).href, configMap: { expected: -1 } } },
    })),
  }, { logLevel: "warn", requestTimeoutMs: BOOT_WAIT_MS });
  const lossy = options.onFull !== undefined && options.onFull !== "block";
  const sample = (atSeconds: number): SoakSample => {
    const memory = process.memoryUsage();
    const drops: Record<string, number> = Object.fromEntries(Object.entries(DROP_COUNTERS).map(([reason, name]) => [reason, server.counter(name)]));
    if (lossy) {
      const rings = server.topology().rings.filter((ring) => ring.kind === "feed");
      drops.dropNewest = rings.reduce((sum, ring) => sum + ring.droppedNewest, 0);
      drops.dropOldest = rings.reduce((sum, ring) => sum + ring.droppedOldest, 0);
      drops.disconnected = rings.reduce((sum, ring) => sum + ring.droppedDisconnected, 0);
    }
    return { atSeconds, eventsIn: server.counter("feed_published_total"), eventsOut: server.counter("handler_events_total"), drops, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed };
  };
  const started = performance.now();
  const samples: SoakSample[] = [];
  let nextSample = options.everySeconds * 1000;
  while (!(await server.feedStatus()).every((feed) => feed.completed)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const elapsed = performance.now() - started;
    if (elapsed >= nextSample) {
      const taken = sample(elapsed / 1000);
      samples.push(taken);
      options.onSample?.(taken);
      nextSample += options.everySeconds * 1000;
    }
  }
  const publishedFor = (performance.now() - started) / 1000;
  const report = await server.stop();
  const last = sample((performance.now() - started) / 1000);
  samples.push(last);
  options.onSample?.(last);
  const dropped = Object.values(last.drops).reduce((sum, value) => sum + value, 0);
  const expectedOut = last.eventsIn * options.handlers - dropped;
  // Memory is judged after the first sample (start-up allocations) up to the last one before the stop.
  const steady = samples.slice(1, -1).map((s): [number, number] => [s.atSeconds, s.rssBytes]);
  return {
    runtime: "Deno" in globalThis ? "deno" : "bun",
    rate: options.rate,
    seconds: options.seconds,
    feeds: options.feeds,
    handlers: options.handlers,
    eventsIn: last.eventsIn,
    eventsOut: last.eventsOut,
    expectedOut,
    drops: last.drops,
    countsAgree: report.clean && last.eventsOut === expectedOut && last.eventsIn === Math.round(options.rate / options.feeds * options.seconds) * options.feeds,
    achievedRate: Math.round(last.eventsIn / publishedFor),
    rssSlopeBytesPerSecond: Math.round(slope(steady)),
    rssStartBytes: samples[0].rssBytes,
    rssEndBytes: last.rssBytes,
    samples,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      rate: { type: "string", default: "1000000" },
      seconds: { type: "string", default: "60" },
      feeds: { type: "string", default: "4" },
      handlers: { type: "string", default: "2" },
      every: { type: "string", default: "5" },
      idle: { type: "string", default: "backoff" },
      "on-full": { type: "string", default: "block" },
      "ring-capacity": { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const report = await soak({
    rate: Number(values.rate),
    seconds: Number(values.seconds),
    feeds: Number(values.feeds),
    handlers: Number(values.handlers),
    everySeconds: Number(values.every),
    idle: values.idle!,
    onFull: values["on-full"] as SoakOptions["onFull"], // checked by the configuration schema
    ringCapacity: values["ring-capacity"] === undefined ? undefined : Number(values["ring-capacity"]),
    onSample: values.json ? undefined : (s) =>
      console.log(`${s.atSeconds.toFixed(1).padStart(6)} s  in ${s.eventsIn}  out ${s.eventsOut}  drops ${JSON.stringify(s.drops)}  rss ${mb(s.rssBytes)}  heap ${mb(s.heapUsedBytes)}`),
  });
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(`${report.runtime}: ${report.feeds} feeds × ${report.handlers} handler agents, target ${report.rate}/s for ${report.seconds} s, achieved ${report.achievedRate}/s`);
    console.log(`in ${report.eventsIn}, out ${report.eventsOut}, expected out ${report.expectedOut} (in × ${report.handlers} − drops): ${report.countsAgree ? "counts agree" : "COUNTS DISAGREE"}`);
    console.log(`rss ${mb(report.rssStartBytes)} → ${mb(report.rssEndBytes)}, slope ${(report.rssSlopeBytesPerSecond / 1024).toFixed(1)} KB/s`);
  }
  process.exit(report.countsAgree ? 0 : 1);
}
