/**
 * `npm run bench`: the one-hop benchmark on Bun and on Deno, ring and postMessage side by side in each
 * run, and the file feed against a plain read-and-parse loop; three runs per scenario; medians and
 * ratios go to bench/results/ with the .hgrm files and a plot.
 *
 *   bun bench/run.ts [--runs N]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import type { HopResult } from "./one-hop.ts";
import { type Curve, percentilePlot } from "./plot.ts";

type Report = { runtime: string; version: string; rate: number | "max"; idle: string; events: number; ring: HopResult; baseline: HopResult };

const { values } = parseArgs({ args: process.argv.slice(2), options: { runs: { type: "string", default: "3" } } });
const runs = Number(values.runs);
const results = join(import.meta.dirname!, "results");
mkdirSync(results, { recursive: true });
const bin = (name: string) => join(process.cwd(), "node_modules", ".bin", name);
const commands: Record<string, string[]> = {
  bun: [bin("bun"), "bench/one-hop.ts"],
  deno: [bin("deno"), "run", "-A", "bench/one-hop.ts"],
};
const scenarios = [
  { name: "throughput", args: ["--rate", "max", "--events", "1000000", "--idle", "busySpin"] },
  { name: "latency at 100k/s", args: ["--rate", "100000", "--seconds", "3", "--idle", "busySpin"] },
];

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];
const lines: string[] = [];
const summary: Record<string, unknown>[] = [];
const curves: Curve[] = [];
const colors: Record<string, string> = { "bun ring": "#d62728", "bun postMessage": "#ff9896", "deno ring": "#1f77b4", "deno postMessage": "#aec7e8" };

for (const [runtime, command] of Object.entries(commands)) {
  for (const scenario of scenarios) {
    const reports: Report[] = [];
    for (let run = 1; run <= runs; run++) {
      const hgrmDir = join(results, "hgrm", `${runtime}-run${run}`);
      mkdirSync(hgrmDir, { recursive: true });
      const child = spawnSync(command[0], [...command.slice(1), ...scenario.args, "--json", "--hgrm-dir", hgrmDir], { encoding: "utf8" });
      if (child.status !== 0) throw new Error(`${runtime} ${scenario.name} run ${run} failed:\n${child.stderr}`);
      const report = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Report;
      reports.push(report);
      console.error(`${runtime} ${scenario.name} run ${run}: ring ${(report.ring.throughput / 1e6).toFixed(2)} M/s p50 ${report.ring.p50Ns} ns; postMessage ${(report.baseline.throughput / 1e6).toFixed(2)} M/s p50 ${report.baseline.p50Ns} ns`);
    }
    const pick = (transport: "ring" | "baseline", field: keyof HopResult) => median(reports.map((r) => r[transport][field] as number));
    const ratio = median(reports.map((r) => r.ring.throughput / r.baseline.throughput));
    const row = {
      runtime: `${runtime} ${reports[0].version}`,
      scenario: scenario.name,
      ringThroughput: pick("ring", "throughput"),
      postMessageThroughput: pick("baseline", "throughput"),
      throughputRatio: ratio,
      ringP50Ns: pick("ring", "p50Ns"),
      ringP99Ns: pick("ring", "p99Ns"),
      ringP999Ns: pick("ring", "p999Ns"),
      postMessageP50Ns: pick("baseline", "p50Ns"),
      postMessageP99Ns: pick("baseline", "p99Ns"),
      postMessageP999Ns: pick("baseline", "p999Ns"),
      runs: reports.map((r) => ({ ring: r.ring, postMessage: r.baseline })),
    };
    summary.push(row);
    const us = (ns: number) => (ns / 1000).toFixed(2);
    lines.push(scenario.name === "throughput"
      ? `| ${row.runtime} | ${scenario.name} | ${(row.ringThroughput / 1e6).toFixed(2)} M/s | ${(row.postMessageThroughput / 1e6).toFixed(2)} M/s | ${ratio.toFixed(1)}× | | |`
      : `| ${row.runtime} | ${scenario.name} | ${us(row.ringP50Ns)} / ${us(row.ringP99Ns)} / ${us(row.ringP999Ns)} µs | ${us(row.postMessageP50Ns)} / ${us(row.postMessageP99Ns)} / ${us(row.postMessageP999Ns)} µs | | | |`);
    if (scenario.name !== "throughput") {
      // Plot the run whose ring p50 is the median.
      const middle = reports.findIndex((r) => r.ring.p50Ns === row.ringP50Ns) + 1;
      for (const transport of ["ring", "postMessage"] as const) {
        const hgrm = readFileSync(join(results, "hgrm", `${runtime}-run${middle}`, `${runtime}-100000-busySpin-${transport}.hgrm`), "utf8");
        const points = hgrm.split("\n").map((line) => line.trim().split(/\s+/)).filter((f) => f.length === 4 && !Number.isNaN(Number(f[0])))
          .map((f) => ({ percentile: Number(f[1]) * 100, nanos: Number(f[0]) * 1000 })); // .hgrm values are µs
        curves.push({ label: `${runtime} ${transport}`, color: colors[`${runtime} ${transport}`], points });
      }
    }
  }
}

// File feed: JSONL read + parsed + delivered, against a plain single-threaded loop, same run.
const fileCommands: Record<string, string[]> = {
  bun: [bin("bun"), "bench/file-feed.ts"],
  deno: [bin("deno"), "run", "-A", "bench/file-feed.ts"],
};
const fileRows: string[] = [];
const fileSummary: Record<string, unknown>[] = [];
for (const [runtime, command] of Object.entries(fileCommands)) {
  const reports: { version: string; engineLinesPerSecond: number; plainLinesPerSecond: number; ratio: number }[] = [];
  for (let run = 1; run <= runs; run++) {
    const child = spawnSync(command[0], [...command.slice(1), "--json"], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`${runtime} file feed run ${run} failed:\n${child.stderr}`);
    reports.push(JSON.parse(child.stdout.trim().split("\n").at(-1)!));
    console.error(`${runtime} file feed run ${run}: ${(reports.at(-1)!.engineLinesPerSecond / 1e6).toFixed(2)} M lines/s vs plain ${(reports.at(-1)!.plainLinesPerSecond / 1e6).toFixed(2)}`);
  }
  const row = {
    runtime: `${runtime} ${reports[0].version}`,
    engineLinesPerSecond: median(reports.map((r) => r.engineLinesPerSecond)),
    plainLinesPerSecond: median(reports.map((r) => r.plainLinesPerSecond)),
    ratio: median(reports.map((r) => r.ratio)),
    runs: reports,
  };
  fileSummary.push(row);
  fileRows.push(`| ${row.runtime} | ${(row.engineLinesPerSecond / 1e6).toFixed(2)} M lines/s | ${(row.plainLinesPerSecond / 1e6).toFixed(2)} M lines/s | ${row.ratio.toFixed(2)}× |`);
}

const machine = `${process.platform} ${process.arch}, ${navigator.hardwareConcurrency} cores`;
writeFileSync(join(results, "file-feed.json"), JSON.stringify({ date: new Date().toISOString(), machine, runs, lines: 1_000_000, summary: fileSummary }, null, 2) + "\n");
writeFileSync(join(results, "one-hop.json"), JSON.stringify({ date: new Date().toISOString(), machine, runs, summary }, null, 2) + "\n");
writeFileSync(join(results, "one-hop-latency-100k.svg"), percentilePlot("One hop at 100k events/s, busy-spin consumer: ring vs postMessage", curves));
writeFileSync(join(results, "one-hop.md"), [
  `# One-hop benchmark (${new Date().toISOString().slice(0, 10)}, ${machine}, medians of ${runs} runs)`,
  "",
  "Command: `npm run bench` (= `bun bench/run.ts`), which runs `bench/one-hop.ts` under each runtime.",
  "Generic small objects `{id, sym, px, qty, side, t}`; publisher on the supervisor thread, busy-spin consumer agent.",
  "Latency: one-way, from the intended send time to `onEvent` entry, p50 / p99 / p99.9.",
  "",
  "| runtime | scenario | ring | postMessage | ring ÷ postMessage | | |",
  "|---|---|---|---|---|---|---|",
  ...lines,
  "",
  "## File feed (`bench/file-feed.ts`)",
  "",
  "1 M JSONL lines `{id, sym, px, qty, side}`: file feed (`ONCE_EARLIEST`, `valueMapper: json`) on the I/O agent → ring →",
  "counting handler on another agent, default idle strategies; against a plain single-threaded loop that reads,",
  "splits and `JSON.parse`s the same file in the same run.",
  "",
  "| runtime | file feed → handler | plain loop | ratio |",
  "|---|---|---|---|",
  ...fileRows,
  "",
].join("\n"));
console.log(readFileSync(join(results, "one-hop.md"), "utf8"));
