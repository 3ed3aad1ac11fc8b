/**
 * File feed benchmark: JSONL lines read, parsed (valueMapper: json) and delivered to a handler on
 * another agent, against a plain single-threaded loop that reads, splits and parses the same file, in
 * the same run.
 *
 *   bun bench/file-feed.ts [--lines N] [--ring-capacity BYTES] [--json]
 *   deno run -A bench/file-feed.ts …
 *
 * `--ring-capacity` sets the feed's `ringCapacity` (default: the server's, 256 KiB); the results in
 * bench/results/file-feed.md compare 256 KiB with 4 MiB.
 */
import { Buffer } from "node:buffer";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { MongooseServer } from "../src/mod.ts";
import { ServerClock } from "../src/time/clock.ts";
import { runtime } from "../src/runtime/mod.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { lines: { type: "string", default: "1000000" }, "ring-capacity": { type: "string" }, json: { type: "boolean", default: false } } });
const lines = Number(values.lines);
const ringCapacity = values["ring-capacity"] === undefined ? undefined : Number(values["ring-capacity"]);
const dir = mkdtempSync(join(tmpdir(), "mongoose-bench-"));
const file = join(dir, "trades.jsonl");
const rows: string[] = [];
for (let i = 0; i < lines; i++) rows.push(JSON.stringify({ id: i, sym: ["AAPL", "MSFT", "NVDA"][i % 3], px: 100 + (i % 1000) / 100, qty: 1 + (i % 50), side: i % 2 ? "B" : "S" }));
writeFileSync(file, rows.join("\n") + "\n");

/** The baseline: read in 64 KiB chunks, split on \n, JSON.parse every line, on one thread. */
function plainLoop(): number {
  const started = performance.now();
  const fd = openSync(file, "r");
  const buffer = Buffer.alloc(64 * 1024);
  let carry = "";
  let parsed = 0;
  let position = 0;
  for (;;) {
    const bytes = readSync(fd, buffer, 0, buffer.length, position);
    if (bytes === 0) break;
    position += bytes;
    const text = carry + buffer.toString("utf8", 0, bytes);
    const parts = text.split("\n");
    carry = parts.pop()!;
    for (const part of parts) if (part.length > 0 && JSON.parse(part)) parsed++;
  }
  closeSync(fd);
  if (parsed !== lines) throw new Error(`plain loop parsed ${parsed} of ${lines}`);
  return lines / ((performance.now() - started) / 1000);
}

/** The engine, as configured by default: file feed on the I/O agent → ring → counting handler on another agent. */
async function engine(): Promise<number> {
  const clock = new ServerClock(performance.timeOrigin);
  const server = await MongooseServer.boot({
    idleStrategy: (process.env.IDLE ?? "backoff") as "backoff", eventFeeds: [{ name: "trades", type: "file", filename: file, readStrategy: "ONCE_EARLIEST", valueMapper: "json", broadcast: true, ...(ringCapacity ? { ringCapacity } : {}) }],
    eventSinks: [{ name: "results", type: "memory" }],
    eventHandlers: [{ agentName: "processor", eventHandlers: { count: { handler: new URL("./count-handler.ts", import.meta.url).href, configMap: { expected: lines } } } }],
  }, { logLevel: "warn" });
  const started = clock.nanos();
  while (!(await server.feedStatus()).every((feed) => feed.completed)) await new Promise((resolve) => setTimeout(resolve, 5));
  await server.stop();
  const result = server.sink<{ count: number; lastAt: number }>("results").values()[0];
  if (result.count !== lines) throw new Error(`engine delivered ${result.count} of ${lines}`);
  return lines / ((result.lastAt - started) / 1e9);
}

const plain = plainLoop();
const delivered = await engine();
rmSync(dir, { recursive: true, force: true });
const report = { runtime: runtime.name, version: runtime.version, lines, ringCapacity: ringCapacity ?? "default", engineLinesPerSecond: delivered, plainLinesPerSecond: plain, ratio: delivered / plain };
if (values.json) console.log(JSON.stringify(report));
else console.log(`${runtime.name}: file feed → handler ${(delivered / 1e6).toFixed(2)} M lines/s; plain read+parse loop ${(plain / 1e6).toFixed(2)} M lines/s (${report.ratio.toFixed(2)}×)`);
process.exit(0);
