/**
 * What journaling costs: the one-hop bench (`mongoose bench`) with the receiving handler journaled
 * (`--journal DIR`: every event recorded with its clock before `onEvent`) and not, side by side in the
 * same run, alternating within each round so drift on this noisy machine hits both alike; for plain
 * objects (`--codec json`) and fixed-layout events (`--codec struct`, journaled as their field values), at
 * `--rate max` (throughput: the cost per event) and a paced 100k/s (latency: whether the journal sits on
 * the path of the events). Then, per runtime, the handler side alone in one thread
 * (bench/journal-cost.ts: nanoseconds per delivered event, where the noise of a shared 2-core machine
 * matters far less than in a two-thread hop) and the value encodings a record could use
 * (bench/journal-value-encoding.ts).
 *
 *   bun bench/journal.ts [--runs 3] [--seconds 2] [--runtimes bun,deno]
 *
 * Writes bench/results/journal.md (medians of the runs, ratios to "off").
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
const ENCODING = join(import.meta.dirname!, "journal-value-encoding.ts");
const COST = join(import.meta.dirname!, "journal-cost.ts");
const SETTINGS = ["off", "journal"] as const;
const CODECS = ["json", "struct"];
const RATES = ["max", "100000"];

/** One run; a journaled one writes into a fresh folder, removed afterwards (at max rate it holds hundreds of MB). */
function bench(runtime: string, codec: string, rate: string, setting: typeof SETTINGS[number]): BenchReport {
  const args = [MAIN, "bench", "--codec", codec, "--rate", rate, "--seconds", values.seconds, "--warmup", "0.5", "--json"];
  if (setting === "off") return runJson<BenchReport>(runtime, args);
  const dir = mkdtempSync(join(tmpdir(), "mongoose-journal-bench-"));
  try {
    return runJson<BenchReport>(runtime, [...args, "--journal", dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: string[] = [];
for (const runtime of values.runtimes.split(",")) {
  for (const codec of CODECS) {
    for (const rate of RATES) {
      const reports = new Map<string, BenchReport[]>(SETTINGS.map((s) => [s, []]));
      for (let round = 0; round < runs; round++) {
        for (const setting of SETTINGS) {
          reports.get(setting)!.push(bench(runtime, codec, rate, setting));
          console.error(`${runtime} ${codec} rate ${rate} ${setting}: run ${round + 1}/${runs}`);
        }
      }
      const off = median(reports.get("off")!.map((r) => r.throughput));
      for (const setting of SETTINGS) {
        const of = (field: "throughput" | "p50Ns" | "p99Ns") => median(reports.get(setting)!.map((r) => r[field]));
        rows.push(`| ${runtime} | ${codec} | ${rate === "max" ? "max" : "100k"} | ${setting} | ${(of("throughput") / 1e6).toFixed(2)} M/s | ${(of("throughput") / off).toFixed(2)} | ${(of("p50Ns") / 1000).toFixed(2)} | ${(of("p99Ns") / 1000).toFixed(1)} |`);
      }
    }
  }
}

const costRows = values.runtimes.split(",").map((runtime) => {
  const { nsPerEvent } = runJson<{ nsPerEvent: Record<string, Record<string, number>> }>(runtime, [COST, "--rounds", String(Math.max(runs, 5))]);
  return Object.entries(nsPerEvent).map(([value, ns]) => `| ${runtime} | ${value} | ${ns.off.toFixed(1)} | ${ns.journal.toFixed(1)} (${(ns.journal - ns.off).toFixed(1)}) |`).join("\n");
});

const encodingRows = values.runtimes.split(",").flatMap((runtime) => {
  const report = runJson<{ nsPerValue: Record<string, Record<string, number>>; decode: Record<string, Record<string, number>> }>(runtime, [ENCODING, "--rounds", "5"]);
  return Object.entries(report.nsPerValue).map(([shape, encode]) => {
    const cell = (format: string) => encode[format] === undefined ? "–" : `${encode[format].toFixed(0)} / ${report.decode[shape][format].toFixed(0)}`;
    return `| ${runtime} | ${shape} | ${cell("generic")} | ${cell("json")} | ${cell("utf8")} |`;
  });
});

const command = `bun bench/journal.ts --runs ${runs} --seconds ${values.seconds}${values.runtimes === "bun,deno" ? "" : ` --runtimes ${values.runtimes}`}`;
const text = `# Journal: cost (${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, 2 cores shared)

Command: \`${command}\` (each point: \`src/main.ts bench --codec C --rate R --seconds ${values.seconds} --warmup 0.5
--json\`, with \`--journal DIR\` for "journal": the receiving handler journaled with the defaults, 64 MiB
files, 10 kept). Medians of ${runs} runs; the two settings alternate within each round. This machine is a
shared 2-core VM that other builds and tests were using at the same time: ±40 % between runs is normal,
so read a difference below that as noise.

| runtime | codec | rate | setting | throughput | × off | p50 µs | p99 µs |
|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Handler side alone, one thread (\`bench/journal-cost.ts\`: a real HostedHandler with a no-op \`onEvent\`
and a real journal writing to a temporary folder, 1 M deliveries per round of a number or of the
7-field tick object \`--codec json\` sends, medians of ${Math.max(runs, 5)} alternating rounds), ns per event (extra over off):

| runtime | event | off | journal |
|---|---|---|---|
${costRows.join("\n")}

Value encodings of a record (\`bench/journal-value-encoding.ts\`: one thread, 1 M values per round,
medians of 5 alternating rounds), ns per value, encode / decode:

| runtime | value | generic codec | JSON | UTF-8 (strings) |
|---|---|---|---|---|
${encodingRows.join("\n")}
`;
writeFileSync(join(import.meta.dirname!, "results", "journal.md"), text);
console.log(text);
