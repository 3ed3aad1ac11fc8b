/**
 * What the server's per-handler latency recording costs: the one-hop bench (`mongoose bench`) with the
 * receiving handler's recording off, on 1 event in 64 (the default) and on every event, side by side
 * in the same run, alternating the three settings within each round so drift on this noisy machine hits
 * them alike. At `--rate max` throughput shows the cost per event; at a paced 100k/s the one-way latency
 * shows whether timing sits on the path of the events. Then, per runtime, the handler side alone in one
 * thread (bench/latency-recording-cost.ts): nanoseconds per delivered event, where the noise of a shared
 * 2-core machine matters far less than in a two-thread hop.
 *
 *   bun bench/latency-recording.ts [--runs 3] [--seconds 2] [--runtimes bun,deno]
 *
 * Writes bench/results/latency-recording.md (medians of the runs, ratios to "off").
 *
 * @module
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import type { BenchReport } from "../src/bench/one-hop.ts";
import { median, runJson } from "./child-runs.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: "string", default: "3" }, seconds: { type: "string", default: "2" }, runtimes: { type: "string", default: "bun,deno" } },
});
const runs = Number(values.runs);
const MAIN = join(import.meta.dirname!, "..", "src", "main.ts");
const COST = join(import.meta.dirname!, "latency-recording-cost.ts");
const SETTINGS = ["off", "64", "1"];
const RATES = ["max", "100000"];

const bench = (runtime: string, rate: string, handlerLatency: string) =>
  runJson<BenchReport>(runtime, [MAIN, "bench", "--rate", rate, "--seconds", values.seconds, "--warmup", "0.5", "--handler-latency", handlerLatency, "--json"]);

const rows: string[] = [];
for (const runtime of values.runtimes.split(",")) {
  for (const rate of RATES) {
    const reports = new Map<string, BenchReport[]>(SETTINGS.map((s) => [s, []]));
    for (let round = 0; round < runs; round++) {
      for (const setting of SETTINGS) {
        reports.get(setting)!.push(bench(runtime, rate, setting));
        console.error(`${runtime} rate ${rate} recording ${setting}: run ${round + 1}/${runs}`);
      }
    }
    const off = median(reports.get("off")!.map((r) => r.throughput));
    for (const setting of SETTINGS) {
      const of = (field: "throughput" | "p50Ns" | "p99Ns") => median(reports.get(setting)!.map((r) => r[field]));
      const label = setting === "off" ? "off" : setting === "1" ? "every event" : `1 in ${setting}`;
      rows.push(`| ${runtime} | ${rate === "max" ? "max" : "100k"} | ${label} | ${(of("throughput") / 1e6).toFixed(2)} M/s | ${(of("throughput") / off).toFixed(2)} | ${(of("p50Ns") / 1000).toFixed(2)} | ${(of("p99Ns") / 1000).toFixed(1)} |`);
    }
  }
}

const costRows = values.runtimes.split(",").map((runtime) => {
  const { nsPerEvent } = runJson<{ nsPerEvent: Record<string, number> }>(runtime, [COST, "--rounds", String(Math.max(runs, 5))]);
  const extra = (setting: string) => (nsPerEvent[setting] - nsPerEvent.off).toFixed(1);
  return `| ${runtime} | ${nsPerEvent.off.toFixed(1)} | ${nsPerEvent["64"].toFixed(1)} (${extra("64")}) | ${nsPerEvent["1"].toFixed(1)} (${extra("1")}) |`;
});

const table = [
  "| runtime | rate | recording | throughput | × off | p50 µs | p99 µs |",
  "|---|---|---|---|---|---|---|",
  ...rows,
].join("\n");
writeFileSync(join(import.meta.dirname!, "results", "latency-recording.md"), `# Per-handler latency recording: cost (${new Date().toISOString().slice(0, 10)}, linux x64, 2 cores)

Command: \`bun bench/latency-recording.ts --runs ${runs} --seconds ${values.seconds}\` (each point: \`src/main.ts bench --rate R
--seconds ${values.seconds} --warmup 0.5 --handler-latency off|64|1 --json\`, struct codec, busy-spin receiver). Medians of ${runs}
runs; the three settings alternate within each round. This machine is a shared 2-core VM: ±40 % between runs
is normal, so read a difference below that as noise.

What is sampled: one event in N per handler (a countdown; the other events cost its decrement). For a
sampled event the agent reads its clock once before \`onEvent\` (publish→handle latency against the
record's publish stamp) and once after (service time), and counts each in a shared-memory histogram.
With recording off, delivery tests one field. Latency columns are the bench's own one-way measurement
(at \`max\`: queueing time).

${table}

Handler side alone, one thread (\`bench/latency-recording-cost.ts\`: a real HostedHandler with a no-op
\`onEvent\`, 5 M deliveries per round, medians of ${Math.max(runs, 5)} alternating rounds), ns per event (extra over off):

| runtime | off | 1 in 64 | every event |
|---|---|---|---|
${costRows.join("\n")}
`);
console.log(table);
console.log(costRows.join("\n"));
