/**
 * `mongoose replay <config.yaml> --journal DIR`: re-drives journaled handlers from their journals, on
 * this thread, with a clock that reads each record's recorded time (see core/replay/), writing to the
 * configuration's sinks or to `--sink name=file:PATH` overrides. Live feeds are not started.
 *
 * @module
 */
import { statSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { preflight } from "../config/preflight.ts";
import type { LoadedConfig } from "../config/yaml-loader.ts";
import { EventTypes } from "../core/event-types.ts";
import { journaledHandlers, readJournal } from "../core/journal/journal-reader.ts";
import { driveReplay, type ReplayResult, type ReplaySpeed } from "../core/replay/replay-driver.ts";
import { ReplayedHandler } from "../core/replay/replayed-handler.ts";
import { ReplayOutputs } from "../core/replay/replay-outputs.ts";
import { createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from "../log/log.ts";
import type { HandlerPlan } from "../plan/types.ts";
import { SUPERVISOR_AGENT } from "../plan/types.ts";
import { configSource } from "./config-source.ts";
import { bootReplaySinks } from "./replay-sinks.ts";
import { UsageError } from "./usage.ts";

/** The command line of `mongoose replay`, checked. */
export interface ReplayArguments {
  configPath: string;
  journal: string;
  handlers: string[];
  speed: ReplaySpeed;
  until?: number;
  /** Sink name → file path. */
  sinks: Map<string, string>;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

/**
 * `max`, `realtime` (1) or a positive multiple of realtime.
 *
 * @example
 * ```ts
 * parseSpeed("10"); // 10: ten times the recorded pace
 * ```
 */
export function parseSpeed(text: string): ReplaySpeed {
  if (text === "max") return "max";
  if (text === "realtime") return 1;
  const speed = Number(text);
  if (text.trim() === "" || !Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed must be max, realtime or a number > 0 (times realtime), got "${text}"`);
  return speed;
}

/**
 * Epoch milliseconds, or an ISO 8601 date-time (`2026-12-02T17:30:00Z`).
 *
 * @example
 * ```ts
 * parseUntil("2026-12-02T17:30:00Z"); // 1796232600000
 * ```
 */
export function parseUntil(text: string): number {
  const asNumber = Number(text);
  if (text.trim() !== "" && Number.isFinite(asNumber)) return asNumber;
  const parsed = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(parsed)) throw new UsageError(`--until must be epoch milliseconds or an ISO date-time such as 2026-12-02T17:30:00Z, got "${text}"`);
  return parsed;
}

/** `name=file:PATH` → [name, PATH]. */
function parseSinkOverride(text: string): [string, string] {
  const match = /^([^=]+)=file:(.+)$/.exec(text);
  if (!match) throw new UsageError(`--sink must be name=file:PATH (e.g. --sink out=file:replayed.jsonl), got "${text}"`);
  return [match[1], match[2]];
}

/** Parses everything after `replay`. Throws UsageError. */
export function parseReplayArguments(argv: string[]): ReplayArguments {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      journal: { type: "string" },
      handler: { type: "string", multiple: true },
      speed: { type: "string" },
      until: { type: "string" },
      sink: { type: "string", multiple: true },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
    },
  });
  if (positionals.length !== 1) throw new UsageError("replay takes one configuration file");
  if (values.journal === undefined) throw new UsageError("replay needs --journal DIR (the journal.dir of the recorded run)");
  const sinks = new Map<string, string>();
  for (const text of values.sink ?? []) {
    const [name, path] = parseSinkOverride(text);
    if (sinks.has(name)) throw new UsageError(`--sink names sink "${name}" twice`);
    sinks.set(name, path);
  }
  const logLevel = values["log-level"] ?? "warn";
  const logFormat = values["log-format"] ?? "text";
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  if (logFormat !== "text" && logFormat !== "json") throw new UsageError(`--log-format must be text or json, got "${logFormat}"`);
  return {
    configPath: positionals[0],
    journal: values.journal,
    handlers: values.handler ?? [],
    speed: parseSpeed(values.speed ?? "max"),
    until: values.until === undefined ? undefined : parseUntil(values.until),
    sinks,
    logLevel: logLevel as LogLevel,
    logFormat,
  };
}

/** The handler plans of the configuration, by name, with the agent each ran on. */
function handlerPlans(agents: { name: string; handlers: HandlerPlan[] }[]): Map<string, { plan: HandlerPlan; agent: string }> {
  return new Map(agents.flatMap((agent) => agent.handlers.map((plan) => [plan.name, { plan, agent: agent.name }] as const)));
}

/** Which handlers to replay: those named (each journaled and configured), or every journaled one. */
function selectHandlers(args: ReplayArguments, journaled: string[], configured: Map<string, unknown>): string[] {
  for (const name of args.handlers) {
    if (!journaled.includes(name)) throw new UsageError(`--handler ${name}: no journal for it in ${args.journal} (journaled: ${journaled.join(", ")})`);
  }
  const selected = args.handlers.length > 0 ? [...new Set(args.handlers)] : journaled;
  const unconfigured = selected.filter((name) => !configured.has(name));
  if (unconfigured.length > 0) throw new UsageError(`journaled handler ${unconfigured.map((n) => `"${n}"`).join(", ")} is not in ${args.configPath}: the configuration must name its module`);
  return selected.sort();
}

/** The journal folder must exist and hold at least one handler's journal. */
function checkJournal(dir: string): string[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    throw new UsageError(`--journal ${dir}: no such folder`);
  }
  if (!isDirectory) throw new UsageError(`--journal ${dir}: not a folder`);
  const journaled = journaledHandlers(dir);
  if (journaled.length === 0) throw new UsageError(`--journal ${dir}: no handler journals in it (expected <dir>/<handler>/<number>.journal)`);
  return journaled;
}

/**
 * Runs a replay; resolves with the exit code (0, or 1 when the sinks did not stop cleanly).
 *
 * @example
 * ```ts
 * process.exit(await replay(parseReplayArguments(["app.yaml", "--journal", "journal"])));
 * ```
 */
export async function replay(args: ReplayArguments, source: LoadedConfig = configSource(args.configPath)): Promise<number> {
  // The same checks as `mongoose run` (schema, references, modules), before anything is read or started.
  const plan = await preflight(source.config, { baseDir: source.baseDir, locate: source.locate });
  const journaled = checkJournal(args.journal);
  const configured = handlerPlans(plan.agents);
  const selected = selectHandlers(args, journaled, configured);
  const sinkNames = plan.sinks.filter((s) => s.type !== "pipe").map((s) => s.name);
  for (const name of args.sinks.keys()) {
    if (!sinkNames.includes(name)) throw new UsageError(`--sink ${name}=…: the configuration has no sink "${name}" (sinks: ${sinkNames.join(", ") || "none"})`);
  }
  const log = createLogger({ level: args.logLevel, format: args.logFormat }, { agent: SUPERVISOR_AGENT });
  const sinks = await bootReplaySinks(source, args.sinks, args);
  const outputs = new ReplayOutputs(plan.sinks, sinks.out);
  const eventTypes = new EventTypes(plan.eventTypes);
  const torn: string[] = [];
  const handlers = new Map(selected.map((name) => {
    const { plan: handlerPlan, agent } = configured.get(name)!;
    return [name, new ReplayedHandler(handlerPlan, agent, outputs, eventTypes, log)];
  }));
  const journals = selected.map((name) => ({
    name,
    records: readJournal(args.journal, name, { onTornTail: (file, offset) => torn.push(`${file} at byte ${offset}`) }),
  }));
  const bar = process.stderr.isTTY ? progressBar(args, selected) : undefined;
  let result: ReplayResult;
  try {
    result = await driveReplay(journals, handlers, { speed: args.speed, until: args.until, onRecord: bar && ((n) => bar.update(n)) });
  } catch (error) {
    bar?.stop();
    // A handler that cannot be built: what was written so far reaches its sinks, and the process can end.
    await sinks.stop();
    throw error;
  }
  bar?.stop();
  const report = await sinks.stop();
  console.log(summary(result, outputs, torn));
  return report.clean ? 0 : 1;
}

/** What the replay tells its progress bar. */
interface Progress {
  update(records: number): void;
  stop(): void;
}

/** A bar on stderr: records replayed of all records in the selected journals (counted first: a second read). */
function progressBar(args: ReplayArguments, handlers: string[]): Progress {
  let total = 0;
  for (const name of handlers) for (const _ of readJournal(args.journal, name, { onTornTail: () => {} })) total++;
  const bar = new cliProgress.SingleBar({
    format: "replay [{bar}] {percentage}% | {value}/{total} records | {rate} records/s | ETA {eta_formatted}",
    stream: process.stderr,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  const began = performance.now();
  bar.start(total, 0, { rate: "0" });
  return {
    update: (n) => bar.update(n, { rate: (n / Math.max(0.001, (performance.now() - began) / 1000)).toFixed(0) }),
    stop: () => bar.stop(),
  };
}

/** The one paragraph printed at the end. */
function summary(result: ReplayResult, outputs: ReplayOutputs, torn: string[]): string {
  const handlers = Object.entries(result.handlers).map(([name, c]) =>
    `${name}: ${c.records} records (${c.events} events, ${c.timersFired} timers fired, ${c.configUpdates} config updates${c.starts > 1 ? `, ${c.starts} starts` : ""}${c.errors ? `, ${c.errors} errors` : ""}${c.timerMismatches ? `, ${c.timerMismatches} timer mismatches` : ""}${c.unrecorded ? `, ${c.unrecorded} unrecorded events skipped` : ""}${c.startedWithoutRecord ? ", began without its start record" : ""})`
  );
  const timers = Object.values(result.handlers).reduce((sum, c) => sum + c.timersFired, 0);
  const counts = Object.entries(outputs.counts()).map(([sink, n]) => `${sink} ${n}`);
  const pipes = outputs.pipesWritten();
  const span = result.span ? ` spanning ${new Date(result.span.from).toISOString()} to ${new Date(result.span.to).toISOString()}` : "";
  return `replayed ${result.records} records${span} in ${(result.durationMs / 1000).toFixed(3)} s${result.stoppedByUntil ? " (stopped by --until)" : ""}; ` +
    `${timers} timers fired; handlers: ${handlers.join("; ") || "none"}; ` +
    `outputs: ${counts.join(", ") || "none"}${pipes.length ? ` (pipes ${pipes.join(", ")} counted, not delivered)` : ""}; ` +
    `torn tails: ${torn.length === 0 ? "none" : torn.join(", ")}.`;
}
