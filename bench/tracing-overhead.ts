/**
 * What this version costs on the hot path with `tracing:` absent: `mongoose bench --json` (one hop at
 * max rate, struct and json codecs) from a checkout without tracing support (`--before DIR`) and from
 * this one, alternating run by run so both see the same machine load; prints medians and after/before
 * ratios as one JSON object (and, with `--markdown`, a table).
 *
 *   bun bench/tracing-overhead.ts --before /path/to/checkout [--runs 3] [--seconds 3] [--runtime bun|deno] [--markdown]
 *
 * Results: bench/results/tracing-overhead.md.
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import type { BenchReport } from "../src/bench/one-hop.ts";
import { median, runJson } from "./child-runs.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    before: { type: "string" },
    runs: { type: "string", default: "3" },
    seconds: { type: "string", default: "3" },
    runtime: { type: "string", default: "bun" },
    markdown: { type: "boolean", default: false },
  },
});
if (!values.before) throw new Error("--before DIR: a checkout of the version to compare with");
const runs = Number(values.runs);
const checkouts = { before: values.before, after: process.cwd() } as const;

interface Summary {
  throughputMps: number;
  p50Us: number;
  p99Us: number;
}

const results: Record<string, Record<keyof typeof checkouts, Summary[]>> = {};
for (const codec of ["struct", "json"] as const) {
  results[codec] = { before: [], after: [] };
  for (let run = 0; run < runs; run++) {
    for (const side of ["before", "after"] as const) {
      const report = runJson<BenchReport>(values.runtime!, [join(checkouts[side], "src/main.ts"), "bench", "--codec", codec, "--seconds", values.seconds!, "--json"]);
      const summary = { throughputMps: report.throughput / 1e6, p50Us: report.p50Ns / 1e3, p99Us: report.p99Ns / 1e3 };
      results[codec][side].push(summary);
      process.stderr.write(`${codec} ${side} run ${run + 1}: ${JSON.stringify(summary)}\n`);
    }
  }
}

const medianOf = (list: Summary[], key: keyof Summary) => median(list.map((summary) => summary[key]));
const report = Object.fromEntries(Object.entries(results).map(([codec, sides]) => {
  const before = { throughputMps: medianOf(sides.before, "throughputMps"), p50Us: medianOf(sides.before, "p50Us"), p99Us: medianOf(sides.before, "p99Us") };
  const after = { throughputMps: medianOf(sides.after, "throughputMps"), p50Us: medianOf(sides.after, "p50Us"), p99Us: medianOf(sides.after, "p99Us") };
  return [codec, { before, after, throughputRatio: after.throughputMps / before.throughputMps, p50Ratio: after.p50Us / before.p50Us, p99Ratio: after.p99Us / before.p99Us }];
}));
console.log(JSON.stringify({ runtime: values.runtime, runs, seconds: Number(values.seconds), ...report }));
if (values.markdown) {
  const f = (n: number) => n.toFixed(2);
  console.log("| codec | before M/s | after M/s | ×throughput | before p50 / p99 µs | after p50 / p99 µs | ×p50 | ×p99 |\n|---|---|---|---|---|---|---|---|");
  for (const [codec, r] of Object.entries(report)) {
    console.log(`| ${codec} | ${f(r.before.throughputMps)} | ${f(r.after.throughputMps)} | ${f(r.throughputRatio)} | ${f(r.before.p50Us)} / ${f(r.before.p99Us)} | ${f(r.after.p50Us)} / ${f(r.after.p99Us)} | ${f(r.p50Ratio)} | ${f(r.p99Ratio)} |`);
  }
}
