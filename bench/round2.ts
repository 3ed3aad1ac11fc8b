/**
 * The second performance round's headline measurements, side by side in one run, on Bun and on Deno:
 *
 * - `--rate max` one hop, fixed-layout ticks claimed one by one and in batches (`--batch-claim`),
 *   alternated run by run with ringbuf.js moving the same 40-byte record (`bench/ringbuf-hop.ts`), and
 *   plain objects (`--codec json`). Min, median and max of the runs, the ratio to ringbuf.js of the same
 *   round, and each run's per-second spread and thread CPU shares (a run whose threads got less than
 *   their core shows as a low CPU share: the machine, not the engine).
 * - p50 / p99 of one hop at 1 M/s and 100 k/s (busy-spinning receiver, batch claims).
 * - p50 / p99 at 100 k/s for each receiving idle strategy.
 *
 *   bun bench/round2.ts [--runs 5] [--seconds 3] [--runtimes bun,deno] [--out bench/results/round2.md]
 *
 * Every point runs in a fresh child process (`mongoose bench --json`), so the runs of one point do not
 * share a JIT or a heap; rounds alternate the configurations so a slow period of the machine falls on
 * all of them alike.
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import type { BenchReport } from "../src/bench/one-hop.ts";
import { median, runJson } from "./child-runs.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    runs: { type: "string", default: "5" },
    seconds: { type: "string", default: "3" },
    runtimes: { type: "string", default: "bun,deno" },
    out: { type: "string", default: "bench/results/round2.md" },
  },
});
const runs = Number(values.runs);
const seconds = values.seconds;
const runtimes = values.runtimes.split(",");

interface RingbufReport {
  throughput: number;
  p50Ns: number;
  p99Ns: number;
}

/** One configuration of `mongoose bench`, by the label it has in the tables. */
const MAX_RATE: Record<string, string[]> = {
  "struct, one claim each": ["--codec", "struct"],
  "struct, batch claims": ["--codec", "struct", "--batch-claim"],
  "json (plain objects)": ["--codec", "json"],
};
const PACED_RATES = ["1000000", "100000"];
const IDLE_STRATEGIES = ["busySpin", "yielding", "backoff", "blocking"];

const hop = (runtime: string, args: string[]) => runJson<BenchReport>(runtime, ["src/main.ts", "bench", "--seconds", seconds, "--warmup", "1", "--json", ...args]);
const ringbufHop = (runtime: string) => runJson<RingbufReport>(runtime, ["bench/ringbuf-hop.ts", "--rate", "max", "--seconds", seconds, "--json"]);
const mps = (eventsPerSecond: number) => (eventsPerSecond / 1e6).toFixed(2);
const micros = (ns: number) => (ns / 1000).toFixed(2);
const share = (cpu: number | null, wall: number) => (cpu === null ? "n/a" : `${Math.round((cpu / wall) * 100)}%`);
const spread = (report: BenchReport) =>
  report.perSecond.length === 0 ? "–" : `${mps(Math.min(...report.perSecond))}–${mps(Math.max(...report.perSecond))}`;
const log = (line: string) => console.error(line);

const md: string[] = [
  `# Performance round 2 (${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, 2 vCPUs)`,
  "",
  `Command: \`bun bench/round2.ts --runs ${runs} --seconds ${seconds} --runtimes ${runtimes.join(",")}\`. Each run is a fresh process;`,
  "rounds alternate the configurations so a slow period of this shared VM falls on all of them alike.",
  "Throughput in M events/s; latency in µs, one way, from each event's intended send time.",
];
const summary: Record<string, Record<string, number>> = {};

for (const runtime of runtimes) {
  const maxRuns: Record<string, BenchReport[]> = Object.fromEntries(Object.keys(MAX_RATE).map((label) => [label, []]));
  const ringbuf: RingbufReport[] = [];
  const batchOverRingbuf: number[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const [label, args] of Object.entries(MAX_RATE)) {
      maxRuns[label].push(hop(runtime, ["--rate", "max", ...args]));
      log(`${runtime} ${label} run ${run}: ${mps(maxRuns[label].at(-1)!.throughput)} M/s`);
    }
    ringbuf.push(ringbufHop(runtime));
    batchOverRingbuf.push(maxRuns["struct, batch claims"].at(-1)!.throughput / ringbuf.at(-1)!.throughput);
    log(`${runtime} ringbuf.js run ${run}: ${mps(ringbuf.at(-1)!.throughput)} M/s`);
  }
  md.push("", `## ${runtime}: one hop at --rate max (${runs} runs)`, "");
  md.push("| configuration | min | median | max | per-second spread of each run | publisher / receiver CPU of wall, each run |", "|---|---|---|---|---|---|");
  for (const [label, reports] of Object.entries(maxRuns)) {
    const throughputs = reports.map((r) => r.throughput);
    md.push(`| ${label} | ${mps(Math.min(...throughputs))} | **${mps(median(throughputs))}** | ${mps(Math.max(...throughputs))} | ${reports.map(spread).join("; ")} | ${reports.map((r) => `${share(r.publisherCpuSeconds, r.wallSeconds)} / ${share(r.receiverCpuSeconds, r.wallSeconds)}`).join("; ")} |`);
    summary[`${runtime} ${label}`] = { min: Math.min(...throughputs), median: median(throughputs) };
  }
  const ringbufThroughputs = ringbuf.map((r) => r.throughput);
  md.push(`| ringbuf.js (batched, no per-record header) | ${mps(Math.min(...ringbufThroughputs))} | **${mps(median(ringbufThroughputs))}** | ${mps(Math.max(...ringbufThroughputs))} | | |`);
  md.push("", `Batch claims ÷ ringbuf.js, run by run: ${batchOverRingbuf.map((r) => `${r.toFixed(2)}×`).join(", ")} (median ${median(batchOverRingbuf).toFixed(2)}×).`);
  summary[`${runtime} ringbuf.js`] = { median: median(ringbufThroughputs) };
  summary[`${runtime} batch ÷ ringbuf.js`] = { median: median(batchOverRingbuf) };

  md.push("", `## ${runtime}: latency at a paced rate (busy-spin receiver, batch claims; median of ${runs} runs)`, "");
  md.push("| rate | p50 | p99 | p99.9 | p50 of each run |", "|---|---|---|---|---|");
  for (const rate of PACED_RATES) {
    const reports = Array.from({ length: runs }, () => hop(runtime, ["--rate", rate, "--batch-claim"]));
    md.push(`| ${Number(rate) / 1000}k/s | **${micros(median(reports.map((r) => r.p50Ns)))}** | ${micros(median(reports.map((r) => r.p99Ns)))} | ${micros(median(reports.map((r) => r.p999Ns)))} | ${reports.map((r) => micros(r.p50Ns)).join(", ")} |`);
    summary[`${runtime} p50 at ${rate}`] = { median: median(reports.map((r) => r.p50Ns)) };
    log(`${runtime} ${rate}/s: p50 ${micros(median(reports.map((r) => r.p50Ns)))} µs`);
  }

  md.push("", `## ${runtime}: receiving idle strategy at 100k/s (batch claims; median of ${runs} runs)`, "");
  md.push("| idle | p50 | p99 | p99.9 | max | receiver CPU of wall |", "|---|---|---|---|---|---|");
  for (const idle of IDLE_STRATEGIES) {
    const reports = Array.from({ length: runs }, () => hop(runtime, ["--rate", "100000", "--batch-claim", "--idle", idle]));
    const pick = (field: "p50Ns" | "p99Ns" | "p999Ns" | "maxNs") => micros(median(reports.map((r) => r[field])));
    md.push(`| ${idle} | ${pick("p50Ns")} | **${pick("p99Ns")}** | ${pick("p999Ns")} | ${pick("maxNs")} | ${share(median(reports.map((r) => r.receiverCpuSeconds ?? NaN)), median(reports.map((r) => r.wallSeconds)))} |`);
    summary[`${runtime} p99 at 100000 ${idle}`] = { median: median(reports.map((r) => r.p99Ns)) };
    log(`${runtime} ${idle} at 100k/s: p99 ${pick("p99Ns")} µs`);
  }
}

if (runtimes.includes("bun") && runtimes.includes("deno")) {
  md.push("", "## Deno ÷ Bun (medians)", "", "| measure | Bun | Deno | Deno ÷ Bun |", "|---|---|---|---|");
  for (const label of Object.keys(MAX_RATE)) {
    const [bun, deno] = [summary[`bun ${label}`].median, summary[`deno ${label}`].median];
    md.push(`| ${label}, M/s | ${mps(bun)} | ${mps(deno)} | ${(deno / bun).toFixed(2)}× |`);
  }
  for (const rate of PACED_RATES) {
    const [bun, deno] = [summary[`bun p50 at ${rate}`].median, summary[`deno p50 at ${rate}`].median];
    md.push(`| p50 at ${Number(rate) / 1000}k/s, µs | ${micros(bun)} | ${micros(deno)} | ${(bun / deno).toFixed(2)}× (speed) |`);
  }
}

writeFileSync(values.out, md.join("\n") + "\n");
writeFileSync(values.out.replace(/\.md$/, ".json"), JSON.stringify(summary, null, 2) + "\n");
console.log(md.join("\n"));
