/**
 * `mongoose bench`: parses the options, runs {@link runOneHop}, prints a summary or, with `--json`, the
 * one JSON object of the contract; `--hgrm FILE` writes the latency distribution (and, with
 * `--baseline`, the baseline's beside it as `FILE` with `.postMessage` before its extension).
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { IDLE_STRATEGY_NAMES, type IdleStrategySpec } from "../agent/idle-strategy.ts";
import { type BenchOptions, type BenchReport, type HopSummary, runOneHop } from "../bench/one-hop.ts";
import { runtime } from "../runtime/mod.ts";
import { UsageError } from "./usage.ts";

function positive(name: string, text: string, integer: boolean): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a positive ${integer ? "integer" : "number"}, got "${text}"`);
  }
  return value;
}

/** `--handler-latency off|N`: the server's own latency recording on the receiving handler (absent: the server's default). */
function handlerLatency(text: string | undefined): "off" | number | undefined {
  if (text === undefined || text === "off") return text;
  const every = Number(text);
  if (!Number.isInteger(every) || every <= 0) throw new UsageError(`--handler-latency must be off or a positive integer, got "${text}"`);
  return every;
}

/** Parses `mongoose bench` options (throws UsageError naming the bad one). */
export function benchOptions(argv: string[]): BenchOptions & { hgrm?: string; json: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      rate: { type: "string", default: "max" },
      seconds: { type: "string", default: "5" },
      warmup: { type: "string", default: "1" },
      events: { type: "string" },
      codec: { type: "string", default: "struct" },
      idle: { type: "string", default: "busySpin" },
      batch: { type: "string", default: "256" },
      baseline: { type: "boolean", default: false },
      "handler-latency": { type: "string" },
      journal: { type: "string" },
      hgrm: { type: "string" },
      json: { type: "boolean", default: false },
      "batch-claim": { type: "boolean", default: false },
    },
  });
  if (positionals.length > 0) throw new UsageError(`bench takes no arguments, got "${positionals[0]}"`);
  if (values.codec !== "struct" && values.codec !== "json") throw new UsageError(`--codec must be struct or json, got "${values.codec}"`);
  if (values["batch-claim"] && values.codec !== "struct") throw new UsageError(`--batch-claim claims fixed-layout events: it needs --codec struct`);
  if (!IDLE_STRATEGY_NAMES.includes(values.idle as IdleStrategySpec["type"])) {
    throw new UsageError(`--idle must be one of ${IDLE_STRATEGY_NAMES.join(", ")}, got "${values.idle}"`);
  }
  const warmup = Number(values.warmup);
  if (!Number.isFinite(warmup) || warmup < 0) throw new UsageError(`--warmup must be a number of seconds ≥ 0, got "${values.warmup}"`);
  return {
    rate: values.rate === "max" ? "max" : positive("rate", values.rate, false),
    seconds: positive("seconds", values.seconds, false),
    warmupSeconds: warmup,
    events: values.events === undefined ? undefined : positive("events", values.events, true),
    codec: values.codec,
    idle: values.idle as IdleStrategySpec["type"],
    batch: positive("batch", values.batch, true),
    baseline: values.baseline,
    handlerLatency: handlerLatency(values["handler-latency"]),
    journal: values.journal,
    batchClaim: values["batch-claim"],
    hgrm: values.hgrm,
    json: values.json,
  };
}

const micros = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;

function line(label: string, hop: HopSummary): string {
  return `  ${label.padEnd(12)} ${(hop.throughput / 1e6).toFixed(2).padStart(7)} M events/s   p50 ${micros(hop.p50Ns)}  p99 ${micros(hop.p99Ns)}  p99.9 ${micros(hop.p999Ns)}  max ${micros(hop.maxNs)}`;
}

/** The spread of the per-second throughput: a steady run has min close to max. */
function perSecondLine(perSecond: number[]): string {
  if (perSecond.length === 0) return "per second: run shorter than a second";
  const millions = (n: number) => (n / 1e6).toFixed(2);
  return `per second: ${millions(Math.min(...perSecond))}–${millions(Math.max(...perSecond))} M events/s over ${perSecond.length} s`;
}

/** Each thread's CPU time as a share of the wall time: below ~90 % for a spinning thread, it lost its core part of the time. */
function cpuLine(report: BenchReport): string {
  const share = (seconds: number | null) => seconds === null ? "n/a" : `${Math.round((seconds / report.wallSeconds) * 100)} %`;
  return `thread CPU / wall: publisher ${share(report.publisherCpuSeconds)}, receiver ${share(report.receiverCpuSeconds)}`;
}

function summary(report: BenchReport, heapCollected: boolean): string {
  const lines = [
    `mongoose bench: ${runtime.name} ${runtime.version}, codec ${report.codec}${report.batchClaim ? " (batch claims)" : ""}, receiver idle ${report.idle}, rate ${report.rate}, ${report.events} events measured, handler latency recording ${report.handlerLatency === "off" ? "off" : `1 in ${report.handlerLatency}`}${report.journaled ? ", receiver journaled" : ""}`,
    line("ring", report),
  ];
  if (report.baseline) {
    lines.push(line("postMessage", report.baseline));
    lines.push(`  throughput ${(report.throughput / report.baseline.throughput).toFixed(1)}× postMessage; p99 ${(report.baseline.p99Ns / report.p99Ns).toFixed(1)}× lower`);
  }
  lines.push(`  ${perSecondLine(report.perSecond)}; ${cpuLine(report)}`);
  lines.push(`  heap growth ${report.heapGrowthBytes} bytes (publisher + receiver${heapCollected ? ", after GC" : ", GC not exposed: includes garbage"})`);
  if (report.rate === "max") lines.push(`  (at --rate max latency is queueing time, sampled 1 in 64 events)`);
  return lines.join("\n");
}

/**
 * Runs `mongoose bench` with its arguments; returns the exit code.
 *
 * @example
 * ```ts
 * await bench(["--rate", "100000", "--seconds", "3", "--json"]);
 * ```
 */
export async function bench(argv: string[]): Promise<number> {
  const options = benchOptions(argv);
  const run = await runOneHop(options);
  if (options.hgrm) {
    writeFileSync(options.hgrm, run.hgrm);
    if (run.baselineHgrm) writeFileSync(options.hgrm.replace(/(\.[^./]*)?$/, ".postMessage$1"), run.baselineHgrm);
  }
  console.log(options.json ? JSON.stringify(run.report) : summary(run.report, run.heapCollected));
  return 0;
}
