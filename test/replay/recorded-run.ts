/**
 * For the replay tests: a live `mongoose run` of {@link replayProbeYaml} handlers (test/fixtures/replay-probe.ts)
 * over a JSON-lines file, journaled, stopped once every handler has written all it will, and the
 * `mongoose replay` command line.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, FIXTURES } from "../helpers.ts";
import { type Finished, runProgram, runServer, runtimeCommand } from "../process.ts";

export const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** One line of the probe's output. */
export interface ProbeLine {
  handler: string;
  event?: unknown;
  after?: unknown;
  tick?: number;
  final?: number;
  config?: Record<string, unknown>;
  r?: number;
  nanos?: number;
  ms?: number;
}

/** Handler name → agent name. */
export type ProbeHandlers = Record<string, string>;

/** A YAML whose handlers (each on its agent) read `in.jsonl` and write `out.jsonl`, journaled in `journal/`. */
export function replayProbeYaml(handlers: ProbeHandlers): string {
  const byAgent = new Map<string, string[]>();
  for (const [name, agent] of Object.entries(handlers)) byAgent.set(agent, [...byAgent.get(agent) ?? [], name]);
  return [
    "admin: false",
    "journal: {dir: journal}",
    "eventFeeds:",
    "  - {name: in, type: file, filename: in.jsonl, readStrategy: EARLIEST, valueMapper: json}",
    "eventSinks:",
    "  - {name: out, type: file, filename: out.jsonl, valueMapper: json}",
    "eventHandlers:",
    ...[...byAgent].flatMap(([agent, names]) => [
      `  - agentName: ${agent}`,
      "    eventHandlers:",
      ...names.map((name) => `      ${name}: {handler: ${FIXTURES}replay-probe.ts, configMap: {everyMs: 20, afterMs: 5}}`),
    ]),
    "",
  ].join("\n");
}

/** The JSON lines of a file ([] if it does not exist). */
export function readLines(path: string): ProbeLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

/** Whether `handler` wrote everything it will for `events` events (every event, its after-timers, and a tick at the last count). */
export function complete(lines: ProbeLine[], handler: string, events: number): boolean {
  const own = lines.filter((line) => line.handler === handler);
  const got = own.filter((line) => line.event !== undefined);
  const timers = got.filter((line) => line.r! < 0.5).length;
  return got.length === events && own.filter((line) => line.after !== undefined).length === timers && own.some((line) => line.tick === events);
}

/**
 * Writes `in.jsonl` with `events` events into `dir` with the YAML, runs it live until every handler is
 * complete, then stops it (SIGTERM) and waits for its exit.
 */
export async function recordRun(dir: string, handlers: ProbeHandlers, events: number): Promise<void> {
  writeFileSync(`${dir}/in.jsonl`, Array.from({ length: events }, (_, i) => JSON.stringify({ id: i + 1 })).join("\n") + "\n");
  writeFileSync(`${dir}/app.yaml`, replayProbeYaml(handlers));
  const live = runServer(MAIN, `${dir}/app.yaml`);
  await eventually(() => Object.keys(handlers).every((name) => complete(readLines(`${dir}/out.jsonl`), name, events)), `the live run's output; log:\n${live.log()}`, 60_000);
  live.child.interrupt("SIGTERM");
  const code = await live.child.exitCode;
  if (code !== 0) throw new Error(`the live run exited ${code}; log:\n${live.log()}`);
}

/** Runs `mongoose replay` with `args` to completion. */
export function replayCli(args: string[]): Promise<Finished> {
  return runProgram(runtimeCommand(MAIN, ["replay", ...args]), { timeoutMs: 60_000 });
}
