/**
 * Boot time: how long `MongooseServer.bootYaml` takes until "server running", for the built-in demo and
 * for a 16-agent configuration (every agent a handler on a broadcast feed, a named feed and a sink, so
 * planned rings, subscriptions and sink rings are all wired). Each boot runs in a fresh process, so module
 * loading is as cold as for a user; the median of the runs is reported.
 *
 * Usage: bun bench/boot-time.ts [--runs N] [--json]
 *        deno run -A bench/boot-time.ts [--runs N]
 * To compare two checkouts side by side, run this file from each (it imports `../src/mod.ts`) in the same
 * session, alternating.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { MongooseServer } from "../src/mod.ts";
import { DEMO_BASE_DIR, DEMO_YAML } from "../src/demo/demo.ts";

const AGENTS = 16;

/** 16 worker agents, each with one handler on a broadcast feed and a named feed, writing to one sink. */
function manyAgentsYaml(): string {
  const agents = Array.from({ length: AGENTS }, (_, i) => `  - agentName: agent-${i + 1}
    eventHandlers:
      vwap-${i + 1}: { handler: ./vwap.ts, configMap: { reportEvery: 1000000, symbols: [AAPL] } }`).join("\n");
  return `idleStrategy: blocking
eventFeeds:
  - { name: heartbeat, type: interval, periodMs: 1000, broadcast: true }
eventSinks:
  - { name: console, type: console }
eventHandlers:
${agents}
`;
}

const CONFIGS: Record<string, string> = { demo: DEMO_YAML, [`${AGENTS}-agents`]: manyAgentsYaml() };

/** In the child: boot once, print the milliseconds, stop. */
async function bootOnce(name: string): Promise<void> {
  const startedAt = performance.now();
  const server = await MongooseServer.bootYaml(CONFIGS[name], { baseDir: DEMO_BASE_DIR, logLevel: "warn", sourceName: name });
  const bootMs = performance.now() - startedAt;
  await server.stop();
  console.log(JSON.stringify({ bootMs }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const child = args.indexOf("--child");
  if (child >= 0) return await bootOnce(args[child + 1]);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 5;
  const self = fileURLToPath(import.meta.url);
  const isDeno = "Deno" in globalThis;
  const command = process.execPath;
  const results: Record<string, { runs: number[]; medianMs: number }> = {};
  for (const name of Object.keys(CONFIGS)) {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const argv = isDeno ? ["run", "-A", self, "--child", name] : [self, "--child", name];
      const result = spawnSync(command, argv, { encoding: "utf8" });
      if (result.status !== 0) throw new Error(`boot of ${name} failed:\n${result.stderr}`);
      times.push(JSON.parse(result.stdout.trim().split("\n").at(-1)!).bootMs);
    }
    results[name] = { runs: times.map((t) => Math.round(t)), medianMs: Math.round(median(times)) };
  }
  if (args.includes("--json")) console.log(JSON.stringify(results));
  else for (const [name, { runs: all, medianMs }] of Object.entries(results)) console.log(`${name.padEnd(10)} median ${medianMs} ms  (runs: ${all.join(", ")})`);
}

await main();
