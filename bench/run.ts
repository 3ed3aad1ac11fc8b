/**
 * `npm run bench`: the benchmark suite, on Bun and on Deno, three runs per point, medians and ratios to
 * bench/results/ with every run's .hgrm file, a JSON summary, a Markdown table and percentile plots.
 *
 *   bun bench/run.ts [--runs N] [--seconds S]
 *
 * - One hop (`mongoose bench`, i.e. `src/main.ts bench`): rates 10k, 100k, 1M and max for both codecs
 *   with a busy-spinning receiver and the postMessage baseline in the same run; the same rates for the
 *   struct codec with `backoff` and `blocking` receivers.
 * - Batching: struct, busy-spin, at 1M/s and max with `--batch` 1, 16 and 256 (the trade-off between
 *   per-event latency and throughput).
 * - ringbuf.js (`bench/ringbuf-hop.ts`): the best existing JS SPSC ring moving the same 40-byte record,
 *   at 100k, 1M and max: what the bare transport costs, without an engine around it.
 * - Heap: 10 M fixed-layout events at max rate (`--events 10000000`), heap growth after GC.
 * - File feed (`bench/file-feed.ts`): JSONL through the engine against a plain read-and-parse loop.
 * - NATS pipeline (`bench/nats-pipeline.ts`): 200k orders through a nats feed, a handler and a nats sink
 *   against a plain @nats-io loop doing the same, on a nats-server of its own (skipped without nats-server).
 * - Idle CPU (`bench/idle-cpu.ts`): a server with 1, 16 and 32 idle agents per idle strategy, both
 *   runtimes, one run of 5 s each (its own table in results/idle-cpu.md; ~4 min).
 *
 * Deno runs with `--v8-flags=--expose-gc` so heap readings are taken after a collection, as on Bun.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import type { BenchReport } from "../src/bench/one-hop.ts";
import type { NatsPipelineReport } from "./nats-pipeline.ts";
import { median, runJson, RUNTIME_COMMANDS } from "./child-runs.ts";
import { percentilePlotSvg } from "./percentile-plot.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: "string", default: "3" }, seconds: { type: "string", default: "2" } } });
const runs = Number(values.runs);
const seconds = values.seconds;
const results = join(import.meta.dirname!, "results");
const hgrmDir = join(results, "hgrm");
mkdirSync(hgrmDir, { recursive: true });
const RATES = ["10000", "100000", "1000000", "max"];

interface Point {
  runtime: string;
  codec: string;
  idle: string;
  rate: string;
  runs: BenchReport[];
  /** The run whose p50 is the median (its .hgrm is the one plotted). */
  medianRun: number;
}

const points: Point[] = [];
const hgrmFile = (runtime: string, codec: string, idle: string, rate: string, run: number, transport = "ring") =>
  join(hgrmDir, `${runtime}-${codec}-${idle}-${rate}-run${run}${transport === "ring" ? "" : `.${transport}`}.hgrm`);

for (const runtime of Object.keys(RUNTIME_COMMANDS)) {
  const configs = [
    ...["struct", "json"].flatMap((codec) => RATES.map((rate) => ({ codec, idle: "busySpin", rate, baseline: true }))),
    ...["backoff", "blocking"].flatMap((idle) => RATES.map((rate) => ({ codec: "struct", idle, rate, baseline: false }))),
  ];
  for (const { codec, idle, rate, baseline } of configs) {
    const reports: BenchReport[] = [];
    for (let run = 1; run <= runs; run++) {
      const args = ["src/main.ts", "bench", "--rate", rate, "--seconds", seconds, "--warmup", "0.5", "--codec", codec, "--idle", idle, "--json", "--hgrm", hgrmFile(runtime, codec, idle, rate, run)];
      const report = runJson<BenchReport>(runtime, baseline ? [...args, "--baseline"] : args);
      reports.push(report);
      console.error(`${runtime} ${codec} ${idle} ${rate} run ${run}: ${(report.throughput / 1e6).toFixed(2)} M/s p50 ${report.p50Ns} ns p99 ${report.p99Ns} ns` +
        (report.baseline ? `; postMessage ${(report.baseline.throughput / 1e6).toFixed(2)} M/s p99 ${report.baseline.p99Ns} ns` : ""));
    }
    const p50 = median(reports.map((r) => r.p50Ns));
    points.push({ runtime, codec, idle, rate, runs: reports, medianRun: reports.findIndex((r) => r.p50Ns === p50) + 1 });
  }
}

const batching: { runtime: string; rate: string; batch: string; runs: BenchReport[] }[] = [];
for (const runtime of Object.keys(RUNTIME_COMMANDS)) {
  for (const rate of ["1000000", "max"]) {
    for (const batch of ["1", "16", "256"]) {
      const reports: BenchReport[] = [];
      for (let run = 1; run <= runs; run++) {
        reports.push(runJson<BenchReport>(runtime, ["src/main.ts", "bench", "--rate", rate, "--seconds", seconds, "--warmup", "0.5", "--batch", batch, "--json"]));
        console.error(`${runtime} batch ${batch} ${rate} run ${run}: ${(reports.at(-1)!.throughput / 1e6).toFixed(2)} M/s p50 ${reports.at(-1)!.p50Ns} ns p99 ${reports.at(-1)!.p99Ns} ns`);
      }
      batching.push({ runtime, rate, batch, runs: reports });
    }
  }
}

interface RingbufReport {
  throughput: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
}
const ringbuf: { runtime: string; rate: string; runs: RingbufReport[] }[] = [];
for (const runtime of Object.keys(RUNTIME_COMMANDS)) {
  for (const rate of ["100000", "1000000", "max"]) {
    const reports: RingbufReport[] = [];
    for (let run = 1; run <= runs; run++) {
      reports.push(runJson<RingbufReport>(runtime, ["bench/ringbuf-hop.ts", "--rate", rate, "--seconds", seconds, "--json", "--hgrm", hgrmFile(runtime, "ringbuf", "busySpin", rate, run)]));
      console.error(`${runtime} ringbuf.js ${rate} run ${run}: ${(reports.at(-1)!.throughput / 1e6).toFixed(2)} M/s p50 ${reports.at(-1)!.p50Ns} ns`);
    }
    ringbuf.push({ runtime, rate, runs: reports });
  }
}

const heap: { runtime: string; events: number; heapGrowthBytes: number; throughput: number }[] = [];
for (const runtime of Object.keys(RUNTIME_COMMANDS)) {
  const report = runJson<BenchReport>(runtime, ["src/main.ts", "bench", "--rate", "max", "--events", "10000000", "--warmup", "0.5", "--codec", "struct", "--json"]);
  heap.push({ runtime, events: report.events, heapGrowthBytes: report.heapGrowthBytes, throughput: report.throughput });
  console.error(`${runtime} heap: ${report.heapGrowthBytes} bytes over ${report.events} events`);
}

const fileFeed: { runtime: string; engineLinesPerSecond: number; plainLinesPerSecond: number; ratio: number }[] = [];
for (const runtime of Object.keys(RUNTIME_COMMANDS)) {
  const reports: { engineLinesPerSecond: number; plainLinesPerSecond: number; ratio: number }[] = [];
  for (let run = 1; run <= runs; run++) {
    reports.push(runJson(runtime, ["bench/file-feed.ts", "--json"]));
    console.error(`${runtime} file feed run ${run}: ${(reports.at(-1)!.engineLinesPerSecond / 1e6).toFixed(2)} M lines/s vs plain ${(reports.at(-1)!.plainLinesPerSecond / 1e6).toFixed(2)}`);
  }
  fileFeed.push({
    runtime,
    engineLinesPerSecond: median(reports.map((r) => r.engineLinesPerSecond)),
    plainLinesPerSecond: median(reports.map((r) => r.plainLinesPerSecond)),
    ratio: median(reports.map((r) => r.ratio)),
  });
}

// Needs Debian's nats-server on PATH (as the NATS tests do); each child makes --runs runs and reports their medians.
const natsPipeline: Pick<NatsPipelineReport, "runtime" | "messages" | "engineMedianPerSecond" | "plainMedianPerSecond" | "ratio">[] = [];
if (spawnSync("nats-server", ["--version"]).status === 0) {
  for (const runtime of Object.keys(RUNTIME_COMMANDS)) {
    const report = runJson<NatsPipelineReport>(runtime, ["bench/nats-pipeline.ts", "--runs", String(runs), "--json"]);
    const { messages, engineMedianPerSecond, plainMedianPerSecond, ratio } = report;
    natsPipeline.push({ runtime, messages, engineMedianPerSecond, plainMedianPerSecond, ratio });
    console.error(`${runtime} NATS pipeline: ${Math.round(engineMedianPerSecond)} msg/s vs plain ${Math.round(plainMedianPerSecond)} msg/s`);
  }
} else console.error("nats-server not on PATH: the NATS pipeline benchmark is skipped");

// Runs both runtimes itself (a fresh child process per measurement) and writes results/idle-cpu.md.
const idleCpu = spawnSync(RUNTIME_COMMANDS.bun[0], ["bench/idle-cpu.ts"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
if (idleCpu.status !== 0) throw new Error("bench/idle-cpu.ts failed");

// ---- summary, table, plots ----

const pick = (point: Point, field: keyof BenchReport) => median(point.runs.map((r) => r[field] as number));
const pickBaseline = (point: Point, field: "throughput" | "p50Ns" | "p99Ns" | "p999Ns") => median(point.runs.map((r) => r.baseline![field]));
const find = (runtime: string, codec: string, idle: string, rate: string) => points.find((p) => p.runtime === runtime && p.codec === codec && p.idle === idle && p.rate === rate)!;
const ringbufAt = (runtime: string, rate: string) => ringbuf.find((r) => r.runtime === runtime && r.rate === rate)!;
const ringbufPick = (runtime: string, rate: string, field: keyof RingbufReport) => median(ringbufAt(runtime, rate).runs.map((r) => r[field]));

/** "bun 1.4.5", "deno 2.9.6": the runtime's name and the version its --version prints first. */
const version = (runtime: string) => `${runtime} ${spawnSync(RUNTIME_COMMANDS[runtime][0], ["--version"], { encoding: "utf8" }).stdout.match(/\d+\.\d+\.\d+/)?.[0] ?? "?"}`;
const machine = `${process.platform} ${process.arch}, ${navigator.hardwareConcurrency} cores`;
const summary = {
  date: new Date().toISOString(),
  machine,
  runs,
  seconds: Number(seconds),
  versions: Object.fromEntries(Object.keys(RUNTIME_COMMANDS).map((r) => [r, version(r)])),
  oneHop: points.map((p) => ({
    runtime: p.runtime,
    codec: p.codec,
    idle: p.idle,
    rate: p.rate,
    throughput: pick(p, "throughput"),
    p50Ns: pick(p, "p50Ns"),
    p99Ns: pick(p, "p99Ns"),
    p999Ns: pick(p, "p999Ns"),
    maxNs: pick(p, "maxNs"),
    heapGrowthBytes: pick(p, "heapGrowthBytes"),
    baseline: p.runs[0].baseline ? { throughput: pickBaseline(p, "throughput"), p50Ns: pickBaseline(p, "p50Ns"), p99Ns: pickBaseline(p, "p99Ns"), p999Ns: pickBaseline(p, "p999Ns") } : undefined,
    runs: p.runs,
  })),
  ringbuf: ringbuf.map((r) => ({ runtime: r.runtime, rate: r.rate, throughput: ringbufPick(r.runtime, r.rate, "throughput"), p50Ns: ringbufPick(r.runtime, r.rate, "p50Ns"), p99Ns: ringbufPick(r.runtime, r.rate, "p99Ns"), runs: r.runs })),
  batching: batching.map((b) => ({ runtime: b.runtime, rate: b.rate, batch: Number(b.batch), throughput: median(b.runs.map((r) => r.throughput)), p50Ns: median(b.runs.map((r) => r.p50Ns)), p99Ns: median(b.runs.map((r) => r.p99Ns)), runs: b.runs })),
  heap,
  fileFeed,
  natsPipeline,
};
writeFileSync(join(results, "summary.json"), JSON.stringify(summary, null, 2) + "\n");

const us = (ns: number) => (ns / 1000).toFixed(ns < 10_000 ? 2 : 0);
const mps = (n: number) => (n / 1e6).toFixed(2);
const rateLabel = (rate: string) => (rate === "max" ? "max" : `${Number(rate) / 1000}k`.replace("1000k", "1M"));
const md: string[] = [
  `# Benchmarks (${summary.date.slice(0, 10)}, ${machine}; ${Object.values(summary.versions).join(", ")})`,
  "",
  `Command: \`npm run bench\` (= \`bun bench/run.ts --runs ${runs} --seconds ${seconds}\`). Medians of ${runs} runs of ${seconds} s each (0.5 s warm-up).`,
  "This machine is a shared 2-core VM: run-to-run swings of ±40 % are normal; compare columns of one run, not runs.",
  "",
  "## One hop, busy-spin receiver, with the postMessage baseline in the same run",
  "",
  "Latency is one-way, from each event's intended send time to `onEvent` entry (µs); at `max` it is queueing time.",
  "",
  "| runtime | codec | rate | throughput | p50 | p99 | p99.9 | postMessage throughput | postMessage p50 / p99 | ×throughput | ×p99 |",
  "|---|---|---|---|---|---|---|---|---|---|---|",
];
for (const p of points.filter((p) => p.idle === "busySpin")) {
  md.push(`| ${p.runtime} | ${p.codec} | ${rateLabel(p.rate)} | ${mps(pick(p, "throughput"))} M/s | ${us(pick(p, "p50Ns"))} | ${us(pick(p, "p99Ns"))} | ${us(pick(p, "p999Ns"))} | ${mps(pickBaseline(p, "throughput"))} M/s | ${us(pickBaseline(p, "p50Ns"))} / ${us(pickBaseline(p, "p99Ns"))} | ${(pick(p, "throughput") / pickBaseline(p, "throughput")).toFixed(1)}× | ${(pickBaseline(p, "p99Ns") / pick(p, "p99Ns")).toFixed(1)}× |`);
}
md.push("", "## Idle strategies of the receiver (struct codec)", "", "| runtime | idle | rate | throughput | p50 | p99 | p99.9 |", "|---|---|---|---|---|---|---|");
for (const p of points.filter((p) => p.codec === "struct")) {
  md.push(`| ${p.runtime} | ${p.idle} | ${rateLabel(p.rate)} | ${mps(pick(p, "throughput"))} M/s | ${us(pick(p, "p50Ns"))} | ${us(pick(p, "p99Ns"))} | ${us(pick(p, "p999Ns"))} |`);
}
md.push("", "## Batch size (struct, busy-spin; `--batch` sets the receiver's drain per duty cycle and the publisher's events per cycle)", "", "| runtime | rate | batch | throughput | p50 | p99 |", "|---|---|---|---|---|---|");
for (const b of summary.batching) md.push(`| ${b.runtime} | ${rateLabel(b.rate)} | ${b.batch} | ${mps(b.throughput)} M/s | ${us(b.p50Ns)} | ${us(b.p99Ns)} |`);
md.push("", "## Against ringbuf.js (bare SPSC ring, same 40-byte record, busy-spin both sides)", "", "| runtime | rate | ringbuf.js | engine (struct) | engine ÷ ringbuf.js | ringbuf.js p50 / p99 | engine p50 / p99 |", "|---|---|---|---|---|---|---|");
for (const r of ringbuf) {
  const engine = find(r.runtime, "struct", "busySpin", r.rate);
  md.push(`| ${r.runtime} | ${rateLabel(r.rate)} | ${mps(ringbufPick(r.runtime, r.rate, "throughput"))} M/s | ${mps(pick(engine, "throughput"))} M/s | ${(pick(engine, "throughput") / ringbufPick(r.runtime, r.rate, "throughput")).toFixed(2)}× | ${us(ringbufPick(r.runtime, r.rate, "p50Ns"))} / ${us(ringbufPick(r.runtime, r.rate, "p99Ns"))} | ${us(pick(engine, "p50Ns"))} / ${us(pick(engine, "p99Ns"))} |`);
}
md.push("", "## Heap over 10 M fixed-layout events (`mongoose bench --rate max --events 10000000`)", "", "| runtime | events | heap growth (after GC, both threads) | throughput |", "|---|---|---|---|");
for (const h of heap) md.push(`| ${h.runtime} | ${h.events} | ${h.heapGrowthBytes} bytes | ${mps(h.throughput)} M/s |`);
md.push("", "## File feed (`bench/file-feed.ts`): 1 M JSONL lines through the engine vs a plain read-and-parse loop", "", "| runtime | engine | plain loop | ratio |", "|---|---|---|---|");
for (const f of fileFeed) md.push(`| ${f.runtime} | ${mps(f.engineLinesPerSecond)} M lines/s | ${mps(f.plainLinesPerSecond)} M lines/s | ${f.ratio.toFixed(2)}× |`);
md.push("", "## NATS pipeline (`bench/nats-pipeline.ts`): JetStream → nats feed → handler → nats sink vs a plain @nats-io consume → work → publish loop", "", "| runtime | messages | engine | plain loop | ratio |", "|---|---|---|---|---|");
for (const n of natsPipeline) md.push(`| ${n.runtime} | ${n.messages} | ${Math.round(n.engineMedianPerSecond)} msg/s | ${Math.round(n.plainMedianPerSecond)} msg/s | ${n.ratio.toFixed(2)}× |`);
md.push("", "## Idle CPU", "", "See `idle-cpu.md` (`bench/idle-cpu.ts`).");
md.push("", "Plots: `latency-bun.svg`, `latency-deno.svg` (struct, busy-spin, every rate, with postMessage at 100k and ringbuf.js at 100k and 1M). Every run's `.hgrm` is under `hgrm/`.", "");
writeFileSync(join(results, "README.md"), md.join("\n"));

for (const runtime of Object.keys(RUNTIME_COMMANDS)) {
  const series = RATES.filter((rate) => rate !== "max").map((rate) => {
    const point = find(runtime, "struct", "busySpin", rate);
    return { label: `engine ${rateLabel(rate)}/s`, hgrm: readFileSync(hgrmFile(runtime, "struct", "busySpin", rate, point.medianRun), "utf8") };
  });
  const at100k = find(runtime, "struct", "busySpin", "100000");
  series.push({ label: "postMessage 100k/s", hgrm: readFileSync(hgrmFile(runtime, "struct", "busySpin", "100000", at100k.medianRun, "postMessage"), "utf8") });
  for (const rate of ["100000", "1000000"]) series.push({ label: `ringbuf.js ${rateLabel(rate)}/s`, hgrm: readFileSync(hgrmFile(runtime, "ringbuf", "busySpin", rate, 1), "utf8") });
  writeFileSync(join(results, `latency-${runtime}.svg`), percentilePlotSvg(series, `One hop on ${runtime}: fixed-layout events, busy-spin receiver (median run)`));
}
console.log(md.join("\n"));
