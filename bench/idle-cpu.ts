/**
 * Idle CPU: what a server with no traffic costs, by idle strategy and agent count, on Bun and Deno.
 *
 *   bun bench/idle-cpu.ts [--agents 1,16,32] [--idle backoff,sleeping,blocking] [--seconds 5] [--runs 1] [--json]
 *   bun bench/idle-cpu.ts --child --agents 16 --idle blocking [--threads]   (one measurement, this runtime)
 *
 * Each measurement is a fresh child process (`bun` or `deno run -A`) that boots N worker agents, each with
 * one handler on a broadcast memory feed, sends every handler one event, settles for a second, then reads
 * its own utime+stime from /proc/self/stat over the window: % of one core for the whole process
 * (supervisor, admin-less main thread, every agent thread). One more event afterwards, counted by every
 * handler at stop, checks that the idle agents still deliver. `--threads` adds a per-thread breakdown
 * (from /proc/self/task/<tid>/stat) to find where the time goes.
 *
 * `yielding` burns a core per agent by design and `busySpin` spins by design; `--idle yielding` measures
 * it, but only at 1 agent unless asked for more with `--yielding-agents`, so that the bench does not hog
 * a shared machine. Results go to bench/results/idle-cpu.md (and idle-cpu.json).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import type { IdleStrategySpec } from "../src/agent/idle-strategy.ts";
import { MongooseServer } from "../src/mod.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    child: { type: "boolean", default: false },
    agents: { type: "string", default: "1,16,32" },
    idle: { type: "string", default: "backoff,sleeping,blocking,yielding" },
    "yielding-agents": { type: "string", default: "1" },
    seconds: { type: "string", default: "5" },
    settle: { type: "string", default: "1" },
    runs: { type: "string", default: "1" },
    runtimes: { type: "string", default: "bun,deno" },
    threads: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

/** One measurement, as a child prints it. */
interface IdleReport {
  runtime: string;
  agents: number;
  idle: string;
  seconds: number;
  /** CPU time of the whole process over the window, as % of one core. */
  cpuPercent: number;
  /** Per-thread CPU % (with `--threads`), busiest first. */
  threads?: { name: string; cpuPercent: number }[];
}

const TICKS_PER_SECOND = 100; // USER_HZ: the unit of utime/stime in /proc on Linux

/** CPU seconds of this process so far: utime+stime (fields 14 and 15) of /proc/self/stat. */
function processCpuSeconds(): number {
  const text = readFileSync("/proc/self/stat", "utf8");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3; the name may hold spaces
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU nanoseconds of every thread of this process, from schedstat (finer than the 10 ms ticks of stat). */
function threadNanos(): Map<string, { name: string; nanos: number }> {
  const tasks = readdirSync("/proc/self/task");
  return new Map(tasks.flatMap((tid) => {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trim();
      return [[tid, { name, nanos: Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]) }] as const];
    } catch {
      return []; // the thread ended between the listing and the read
    }
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(agents: number, idle: string, seconds: number, settleSeconds: number, perThread: boolean): Promise<IdleReport> {
  const spec = { type: idle } as IdleStrategySpec;
  const handler = new URL("./count-handler.ts", import.meta.url).href;
  const server = await MongooseServer.boot({
    idleStrategy: spec,
    eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
    eventSinks: [{ name: "results", type: "memory" }],
    eventHandlers: Array.from({ length: agents }, (_, i) => ({ agentName: `agent-${i}`, eventHandlers: { [`count-${i}`]: { handler, configMap: { expected: 2 } } } })),
  }, { logLevel: "warn" });
  try {
    server.offer("in", 1);
    await sleep(settleSeconds * 1000);
    const threadsBefore = perThread ? threadNanos() : undefined;
    const before = processCpuSeconds();
    const startedAt = performance.now();
    await sleep(seconds * 1000);
    const after = processCpuSeconds();
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const percent = (cpuSeconds: number) => Math.round((cpuSeconds / elapsedSeconds) * 1000) / 10;
    const threads = threadsBefore && [...threadNanos()].map(([tid, { name, nanos }]) => ({ name: `${name} (${tid})`, cpuPercent: percent((nanos - (threadsBefore.get(tid)?.nanos ?? 0)) / 1e9) }))
      .filter((t) => t.cpuPercent > 0).sort((a, b) => b.cpuPercent - a.cpuPercent);
    server.offer("in", 2);
    await server.stop();
    const counts = server.sink<{ count: number }>("results").values().map((r) => r.count);
    if (counts.length !== agents || counts.some((count) => count !== 2)) throw new Error(`idle-cpu: expected ${agents} handlers to count 2 events each, got ${JSON.stringify(counts)}`);
    return { runtime: "Deno" in globalThis ? "deno" : "bun", agents, idle, seconds: Math.round(elapsedSeconds * 100) / 100, cpuPercent: percent(after - before), threads };
  } finally {
    await server.stop();
  }
}

if (values.child) {
  const report = await measure(Number(values.agents), values.idle, Number(values.seconds), Number(values.settle), values.threads);
  console.log(JSON.stringify(report));
  process.exit(0);
}

// ---- the parent: one fresh child per measurement, both runtimes ----

const bin = (name: string) => join(process.cwd(), "node_modules", ".bin", name);
const commands: Record<string, string[]> = { bun: [bin("bun")], deno: [bin("deno"), "run", "-A"] };
const runtimes = values.runtimes.split(",");
const agentCounts = values.agents.split(",").map(Number);
const yieldingAgents = values["yielding-agents"].split(",").map(Number);
const strategies = values.idle.split(",");
const runs = Number(values.runs);
const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

function child(runtime: string, agents: number, idle: string): IdleReport {
  const [command, ...prefix] = commands[runtime];
  const args = [...prefix, join(import.meta.dirname!, "idle-cpu.ts"), "--child", "--agents", String(agents), "--idle", idle, "--seconds", values.seconds, "--settle", values.settle];
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`idle-cpu: ${runtime} with ${agents} agents (${idle}) failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as IdleReport;
}

const rows: { runtime: string; idle: string; agents: number; cpuPercent: number; runs: number[] }[] = [];
for (const runtime of runtimes) {
  for (const idle of strategies) {
    for (const agents of idle === "yielding" ? yieldingAgents : agentCounts) {
      const measured: number[] = [];
      for (let run = 1; run <= runs; run++) {
        measured.push(child(runtime, agents, idle).cpuPercent);
        console.error(`${runtime} ${idle} ${agents} agents run ${run}: ${measured.at(-1)} % of a core`);
      }
      rows.push({ runtime, idle, agents, cpuPercent: median(measured), runs: measured });
    }
  }
}

const command = `bun bench/idle-cpu.ts ${process.argv.slice(2).join(" ")}`.trim();
const cell = (runtime: string, idle: string, agents: number) => {
  const row = rows.find((r) => r.runtime === runtime && r.idle === idle && r.agents === agents);
  return row ? `${row.cpuPercent.toFixed(1)} %` : "–";
};
const md = [
  `# Idle CPU (${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, ${navigator.hardwareConcurrency} cores)`,
  "",
  `Command: \`${command}\`. Whole process, % of one core over ${values.seconds} s after ${values.settle} s of settling,`,
  `worker agents with one handler each on a broadcast memory feed, no traffic${runs > 1 ? `; median of ${runs} runs` : ""}.`,
  "",
  `| runtime | idle strategy | ${agentCounts.map((n) => `${n} agent${n === 1 ? "" : "s"}`).join(" | ")} |`,
  `|---|---|${agentCounts.map(() => "---|").join("")}`,
  ...runtimes.flatMap((runtime) => strategies.map((idle) => `| ${runtime} | ${idle} | ${agentCounts.map((n) => cell(runtime, idle, n)).join(" | ")} |`)),
  "",
];
if (values.json) console.log(JSON.stringify(rows));
else console.log(md.join("\n"));
const results = join(import.meta.dirname!, "results");
writeFileSync(join(results, "idle-cpu.md"), md.join("\n"));
writeFileSync(join(results, "idle-cpu.json"), JSON.stringify({ date: new Date().toISOString(), command, rows }, null, 2) + "\n");
