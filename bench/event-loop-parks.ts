/**
 * Agents whose I/O runs in the event loop (a NATS feed and sink): how fast a message that arrives while
 * every agent is parked comes out the other end, and what the idle pipeline costs, on Bun and Deno.
 *
 *   bun bench/event-loop-parks.ts [--runtimes bun,deno] [--rounds 60] [--gap-ms 150] [--idle-seconds 5]
 *   bun bench/event-loop-parks.ts --child [...]   (one measurement, this runtime; prints one JSON line)
 *
 * Each runtime's measurement is a fresh child process with its own `nats-server -js` (the test harness's,
 * so `nats-server` must be on the PATH): a NATS feed (io-agent) → a forwarding handler (agent `worker`)
 * → a NATS sink with core publish (io-agent). Latency: `--rounds` times, wait `--gap-ms` (every agent
 * parks), JetStream-publish one message and time until the sink's output reaches a plain subscriber;
 * the same message seen by a plain subscriber on the input subject is the broker's own share. Idle CPU:
 * the child's utime+stime from /proc/self/stat over `--idle-seconds` with no traffic, % of one core for
 * the whole process (broker excluded). Results go to bench/results/event-loop-parks.md.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { MongooseServer } from "../src/mod.ts";
import { NatsServer } from "../test/nats/nats-server.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    child: { type: "boolean", default: false },
    runtimes: { type: "string", default: "bun,deno" },
    rounds: { type: "string", default: "60" },
    "gap-ms": { type: "string", default: "150" },
    "idle-seconds": { type: "string", default: "5" },
  },
});

interface Measurement {
  runtime: string;
  rounds: number;
  gapMs: number;
  pipelineMs: { p50: number; p90: number; max: number };
  brokerMs: { p50: number; p90: number; max: number };
  idleCpuPercent: number;
}

const FORWARDER = fileURLToPath(new URL("../test/fixtures/forwarder.ts", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentiles(samples: number[]): { p50: number; p90: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1] };
}

/** CPU seconds (user + system) this process has used, from /proc/self/stat (clock ticks of 10 ms). */
function cpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(): Promise<Measurement> {
  const rounds = Number(values.rounds);
  const gapMs = Number(values["gap-ms"]);
  const nats = await NatsServer.start();
  const client = await connect({ servers: nats.url });
  const server = await MongooseServer.boot({
    eventFeeds: [{ name: "in", type: "nats", servers: [nats.url], subject: "bench.in", valueMapper: "json", broadcast: true }],
    eventSinks: [{ name: "out", type: "nats", servers: [nats.url], subject: "bench.out", jetstream: false }],
    eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: FORWARDER } } }],
  }, { logLevel: "error" });
  try {
    while (!(await server.feedStatus()).every((s) => s.connected)) await sleep(50);
    let outputAt = 0;
    let inputAt = 0;
    client.subscribe("bench.out", { callback: () => void (outputAt = performance.now()) });
    client.subscribe("bench.in", { callback: () => void (inputAt = performance.now()) });
    await client.flush();
    const js = jetstream(client);
    const pipeline: number[] = [];
    const broker: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await sleep(gapMs);
      outputAt = 0;
      const sentAt = performance.now();
      await js.publish("bench.in", String(round));
      while (outputAt === 0) await sleep(0.2);
      pipeline.push(outputAt - sentAt);
      broker.push(inputAt - sentAt);
    }
    await sleep(1000);
    const cpuBefore = cpuSeconds();
    const idleFrom = performance.now();
    await sleep(Number(values["idle-seconds"]) * 1000);
    const idleCpuPercent = (cpuSeconds() - cpuBefore) / ((performance.now() - idleFrom) / 1000) * 100;
    return { runtime: "Deno" in globalThis ? "deno" : "bun", rounds, gapMs, pipelineMs: percentiles(pipeline), brokerMs: percentiles(broker), idleCpuPercent };
  } finally {
    await server.stop();
    await client.close();
    await nats.stop();
  }
}

if (values.child) {
  console.log(JSON.stringify(await measure()));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const args = ["--child", "--rounds", values.rounds!, "--gap-ms", values["gap-ms"]!, "--idle-seconds", values["idle-seconds"]!];
const bin = fileURLToPath(new URL("../node_modules/.bin/", import.meta.url));
const results: Measurement[] = [];
for (const runtime of values.runtimes!.split(",")) {
  const command = runtime === "deno" ? [`${bin}deno`, "run", "-A", self, ...args] : [`${bin}bun`, self, ...args];
  const run = spawnSync(command[0], command.slice(1), { encoding: "utf8", timeout: 300_000 });
  const line = run.stdout.trim().split("\n").pop() ?? "";
  if (run.status !== 0 || !line.startsWith("{")) throw new Error(`${runtime} run failed: ${run.stderr}`);
  results.push(JSON.parse(line));
}
const ms = (value: number) => value.toFixed(1);
const table = [
  "| runtime | publish → output p50 / p90 / max (ms) | broker to a plain subscriber p50 / p90 / max (ms) | idle CPU (% of a core) |",
  "|---|---|---|---|",
  ...results.map((r) =>
    `| ${r.runtime} | ${ms(r.pipelineMs.p50)} / ${ms(r.pipelineMs.p90)} / ${ms(r.pipelineMs.max)} | ${ms(r.brokerMs.p50)} / ${ms(r.brokerMs.p90)} / ${ms(r.brokerMs.max)} | ${r.idleCpuPercent.toFixed(1)} |`
  ),
].join("\n");
console.log(table);
writeFileSync(fileURLToPath(new URL("./results/event-loop-parks.md", import.meta.url)), [
  `# Event-loop I/O and parks (${new Date().toISOString().slice(0, 10)}, ${process.platform} ${process.arch}, shared 2-core VM: noisy)`,
  "",
  `Command: \`bun bench/event-loop-parks.ts --rounds ${values.rounds} --gap-ms ${values["gap-ms"]} --idle-seconds ${values["idle-seconds"]}\`. A NATS feed → forwarding handler → NATS sink`,
  "(core publish); each round waits until every agent parks, then publishes one message. Idle CPU is the whole",
  "server process (three agents and the supervisor, broker excluded) with no traffic.",
  "",
  table,
  "",
].join("\n"));
