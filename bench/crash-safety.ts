/**
 * Crash safety: what the end-to-end commit of a COMMITTED file feed costs, and how many lines a kill -9
 * makes come twice. Pipeline: a file of `--lines` lines → a handler module (one output per line) → a
 * file sink, as `mongoose run app.yaml` runs it (a child process of this runtime).
 *
 *   bun bench/crash-safety.ts [--lines 200000] [--runs 5] [--kills 5] [--json]
 *   deno run -A bench/crash-safety.ts …
 *
 * - Throughput: the same pipeline with `readStrategy: COMMITTED` (pointer saved only past lines whose
 *   outputs are written) and `EARLIEST` (no pointer, no acknowledgements), lines/s from the first output
 *   line to the last, median of `--runs` fresh processes each.
 * - Duplicates: `--kills` times, a fresh COMMITTED run is killed (SIGKILL) once its output passes a random
 *   point, restarted and run to the end; duplicates = output lines - distinct lines.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    lines: { type: "string", default: "200000" },
    runs: { type: "string", default: "5" },
    kills: { type: "string", default: "5" },
    json: { type: "boolean", default: false },
  },
});
const total = Number(values.lines);
const MAIN = new URL("../src/main.ts", import.meta.url).pathname;
const command = "Deno" in globalThis ? [process.execPath, "run", "-A", MAIN] : [process.execPath, MAIN];
const lineBytes = "out-000000\n".length;

const dir = mkdtempSync(join(tmpdir(), "mongoose-crash-bench-"));
const input = join(dir, "in.txt");
const output = join(dir, "out.txt");
writeFileSync(input, Array.from({ length: total }, (_, i) => `in-${String(i).padStart(6, "0")}`).join("\n") + "\n");
writeFileSync(join(dir, "transform.ts"), `export default class T { out: any; start(ctx: any) { this.out = ctx.sink("out"); } onEvent(line: string) { this.out.accept("out-" + line.slice(3)); } }\n`);

function writeApp(strategy: string): string {
  const yaml = join(dir, `${strategy}.yaml`);
  writeFileSync(yaml, [
    "admin: false",
    "eventFeeds:",
    `  - {name: in, type: file, filename: in.txt, readStrategy: ${strategy}, broadcast: true}`,
    "eventSinks:",
    "  - {name: out, type: file, filename: out.txt}",
    "eventHandlers:",
    "  - agentName: processor",
    "    eventHandlers: {transform: {handler: ./transform.ts}}",
    "",
  ].join("\n"));
  return yaml;
}

const sizeOf = (path: string) => (existsSync(path) ? statSync(path).size : 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fresh(): void {
  for (const file of [output, `${input}.readPointer`, `${input}.readPointer.lock`]) rmSync(file, { force: true });
}

/** Starts `mongoose run`; resolves `exited` when it ends. */
function launch(yaml: string) {
  const child = spawn(command[0], [...command.slice(1), "run", yaml], { stdio: ["ignore", "ignore", "ignore"] });
  const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return { child, exited };
}

async function until(condition: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(2);
  }
}

/** Lines/s from the first output byte to the last line of one run. */
async function throughput(strategy: string): Promise<number> {
  fresh();
  const run = launch(writeApp(strategy));
  await until(() => sizeOf(output) > 0);
  const started = performance.now();
  await until(() => sizeOf(output) >= total * lineBytes);
  const seconds = (performance.now() - started) / 1000;
  run.child.kill("SIGTERM");
  await run.exited;
  return total / seconds;
}

/** One kill -9 at a random point, a restart to the end: how many lines came twice. */
async function duplicatesAfterKill(): Promise<{ killedAt: number; duplicates: number }> {
  fresh();
  const yaml = writeApp("COMMITTED");
  const killedAt = Math.floor((0.1 + Math.random() * 0.7) * total);
  const first = launch(yaml);
  await until(() => sizeOf(output) >= killedAt * lineBytes);
  first.child.kill("SIGKILL");
  await first.exited;
  const second = launch(yaml);
  await until(() => sizeOf(output) >= total * lineBytes && new Set(readFileSync(output, "utf8").split("\n")).size - 1 === total);
  second.child.kill("SIGTERM");
  await second.exited;
  const written = readFileSync(output, "utf8").split("\n").length - 1;
  return { killedAt, duplicates: written - total };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  const runtime = "Deno" in globalThis ? "deno" : "bun";
  const rates: Record<string, number[]> = { COMMITTED: [], EARLIEST: [] };
  // Interleaved, so drifting load on the machine hits both alike.
  for (let run = 0; run < Number(values.runs); run++) {
    for (const strategy of Object.keys(rates)) rates[strategy].push(await throughput(strategy));
  }
  const kills = [];
  for (let k = 0; k < Number(values.kills); k++) kills.push(await duplicatesAfterKill());
  const report = {
    runtime,
    lines: total,
    committedLinesPerSecond: Math.round(median(rates.COMMITTED)),
    earliestLinesPerSecond: Math.round(median(rates.EARLIEST)),
    ratio: Number((median(rates.COMMITTED) / median(rates.EARLIEST)).toFixed(2)),
    allRates: Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, v.map(Math.round)])),
    kills,
    medianDuplicatesPerKill: median(kills.map((k) => k.duplicates)),
  };
  if (values.json) console.log(JSON.stringify(report));
  else console.log(report);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
