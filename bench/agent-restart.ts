/**
 * How fast a dead worker agent is noticed and running again under `restart: always`.
 *
 *   bun bench/agent-restart.ts [--cycles 10]
 *   deno run -A bench/agent-restart.ts [--cycles 10]
 *
 * Boots one supervised worker agent (restartBackoffMs 0), then `cycles` times makes its handler call
 * process.exit and measures, from the time the worker wrote just before exiting: detection (the death's
 * error report) and downtime (until health shows the agent running again: new worker, module load,
 * clock calibration, init/start/startComplete). Prints the median, min and max of each as JSON.
 *
 * @module
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { MongooseServer } from "../src/mod.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { cycles: { type: "string", default: "10" } } });
const cycles = Number(values.cycles);
const dir = mkdtempSync(join(tmpdir(), "mongoose-restart-bench-"));
const record = join(dir, "exited");

const server = await MongooseServer.boot({
  agentThreads: [{ agentName: "victim", restart: "always", maxRestarts: cycles + 1, restartBackoffMs: 0 }],
  eventFeeds: [{ name: "in", type: "memory" }],
  eventHandlers: [{ agentName: "victim", eventHandlers: { exits: { handler: new URL("./exit-on-command.ts", import.meta.url).pathname, configMap: { record } } } }],
}, { logLevel: "silent" });
const deaths: number[] = [];
server.onError((report) => {
  if (report.agent === "victim") deaths.push(report.time);
});
const victim = () => server.health().agents.find((a) => a.name === "victim")!;
const detection: number[] = [];
const downtime: number[] = [];
for (let cycle = 1; cycle <= cycles; cycle++) {
  server.offer("in", { exit: cycle });
  while (!(victim().restarts === cycle && victim().state === "running")) await new Promise((resolve) => setTimeout(resolve, 1));
  const runningAt = Date.now();
  const exitedAt = Number(readFileSync(record, "utf8").split(" ")[1]);
  detection.push(deaths[cycle - 1] - exitedAt);
  downtime.push(runningAt - exitedAt);
}
await server.stop();
rmSync(dir, { recursive: true, force: true });

const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)], minMs: sorted[0], maxMs: sorted[sorted.length - 1] };
};
const runtime = "Deno" in globalThis ? "deno" : "bun";
console.log(JSON.stringify({ runtime, cycles, detection: summary(detection), downtime: summary(downtime) }));
