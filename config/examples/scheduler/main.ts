/**
 * Runs the scheduler example embedded: boots, waits until the jobs are done, prints the log, stops.
 * `bun config/examples/scheduler/main.ts` (or `deno run -A …`).
 */
import { fileURLToPath } from "node:url";
import { MongooseServer } from "../../../src/mod.ts";

const server = await MongooseServer.boot({
  eventSinks: [{ name: "log", type: "memory" }],
  eventHandlers: [{ agentName: "jobs-agent", idleStrategy: "blocking", eventHandlers: { jobs: { handler: "./jobs.ts" } } }],
}, { baseDir: fileURLToPath(new URL(".", import.meta.url)), logLevel: "warn" });
const log = await server.sink<string>("log").waitUntil((lines) => lines.includes("done"), 10_000, "the jobs to finish");
for (const line of log) console.log(line);
await server.stop();
