/**
 * How fast `mongoose replay --speed max` re-drives a journal: one live run of a journaled handler over
 * `--events` JSON lines (a handler that writes one line per event, with its clock, and a line per timer
 * firing) records the journal once; then each runtime replays it `--runs` times into a file. Reported:
 * records per second of the replay itself (its summary's duration: reading, decoding, the handler, and
 * handing values to the sink server) and the whole command's wall time (boot, config checks, the sink
 * server's drain and stop included).
 *
 *   bun bench/replay.ts [--events 200000] [--runs 3] [--runtimes bun,deno]
 *
 * Prints a Markdown table (medians); bench/results/replay.md keeps one.
 *
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { median, RUNTIME_COMMANDS } from "./child-runs.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { events: { type: "string", default: "200000" }, runs: { type: "string", default: "3" }, runtimes: { type: "string", default: "bun,deno" } },
});
const EVENTS = Number(values.events);
const MAIN = join(import.meta.dirname!, "..", "src", "main.ts");
const dir = mkdtempSync(join(tmpdir(), "mongoose-bench-replay-"));

const HANDLER = `import type { HandlerContext, Sink } from "mongoose-server";
export default class Stamp {
  private ctx!: HandlerContext;
  private out!: Sink<unknown>;
  private n = 0;
  start(ctx: HandlerContext) {
    this.ctx = ctx;
    this.out = ctx.sink("out");
    ctx.scheduler.every(10, () => this.out.accept({ tick: this.n, at: ctx.clock.epochMillis() }));
  }
  onEvent(event: { id: number }) {
    this.n++;
    this.out.accept({ id: event.id, at: this.ctx.clock.epochMillis(), r: this.ctx.random() });
  }
}
`;

const lines = (path: string) => existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line.startsWith('{"id"')).length : 0;

/** Records the journal: runs the configuration until every event is out, then stops it. */
async function record(): Promise<void> {
  writeFileSync(join(dir, "in.jsonl"), Array.from({ length: EVENTS }, (_, i) => `{"id":${i + 1}}`).join("\n") + "\n");
  writeFileSync(join(dir, "stamp.ts"), HANDLER);
  writeFileSync(join(dir, "app.yaml"), [
    "admin: false",
    "journal: {dir: journal, retainFiles: 0}",
    "eventFeeds: [{name: in, type: file, filename: in.jsonl, readStrategy: EARLIEST, valueMapper: json, broadcast: true}]",
    "eventSinks: [{name: out, type: file, filename: live.jsonl, valueMapper: json}]",
    "eventHandlers: [{agentName: processor, eventHandlers: {stamp: {handler: ./stamp.ts}}}]",
    "",
  ].join("\n"));
  const [command, ...prefix] = RUNTIME_COMMANDS.bun;
  const live = spawn(command, [...prefix, MAIN, "run", join(dir, "app.yaml"), "--log-level", "warn"], { stdio: "inherit" });
  while (lines(join(dir, "live.jsonl")) < EVENTS) await new Promise((resolve) => setTimeout(resolve, 200));
  live.kill("SIGTERM");
  await new Promise((resolve) => live.on("close", resolve));
}

/** One replay: [records per second of the replay itself, wall seconds of the command]. */
function replay(runtime: string): [number, number, number] {
  const out = join(dir, `replayed-${runtime}.jsonl`);
  rmSync(out, { force: true });
  const [command, ...prefix] = RUNTIME_COMMANDS[runtime];
  const began = performance.now();
  const child = spawnSync(command, [...prefix, MAIN, "replay", join(dir, "app.yaml"), "--journal", join(dir, "journal"), "--sink", `out=file:${out}`], { encoding: "utf8", maxBuffer: 1 << 24 });
  const wall = (performance.now() - began) / 1000;
  if (child.status !== 0) throw new Error(`${runtime} replay failed:\n${child.stderr}`);
  const [, records, seconds] = /replayed (\d+) records.* in ([\d.]+) s/.exec(child.stdout)!;
  if (lines(out) !== EVENTS) throw new Error(`${runtime} replay wrote ${lines(out)} event lines, not ${EVENTS}`);
  return [Number(records), Number(records) / Number(seconds), wall];
}

try {
  await record();
  const journalBytes = statSync(join(dir, "journal", "stamp", "0000000001.journal")).size;
  const rows = values.runtimes.split(",").map((runtime) => {
    const runs = Array.from({ length: Number(values.runs) }, () => replay(runtime));
    return `| ${runtime} | ${runs[0][0]} | ${Math.round(median(runs.map((r) => r[1])))} | ${median(runs.map((r) => r[2])).toFixed(2)} |`;
  });
  console.log(`${EVENTS} events journaled (${(journalBytes / 1e6).toFixed(1)} MB in the first journal file), replayed ${values.runs} times per runtime, medians:\n`);
  console.log("| runtime | records | records/s (replay itself) | wall s (whole command) |\n|---|---|---|---|");
  console.log(rows.join("\n"));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
