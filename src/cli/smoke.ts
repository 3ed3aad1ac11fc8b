/**
 * `mongoose smoke`: checks a running server after a deploy, through its admin HTTP API, and prints one
 * screen (or one JSON object): reachable, live, ready, every agent advancing, no ring backed up, and
 * optionally sample events reaching the sinks and p99 latency under a limit. Exit 0 when every check
 * passes, 1 when one fails, 2 on usage: a CI/CD gate.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { parseArgs } from "node:util";
import type { Topology } from "../core/supervisor/server-views.ts";
import { type AdminAddress, adminAddress, DEFAULT_ADMIN_URL } from "./admin-client.ts";
import { parseDuration } from "./duration.ts";
import { agentsCheck, type CheckResult, injectionCheck, latencyCheck, probeCheck, readJson, ringsCheck } from "./smoke-checks.ts";
import { UsageError } from "./usage.ts";

/** What the command line asked for, checked. */
interface SmokeOptions {
  url: string;
  token?: string;
  sample?: { feed: string; lines: string; count: number };
  /** Sinks and the values each must gain from the sample; undefined: every sink, one per sample line. */
  expectSinks?: Map<string, number>;
  p99MaxMs?: number;
  timeoutMs: number;
  windowMs: number;
  maxBacklog: number;
  json: boolean;
}

/**
 * Runs `mongoose smoke` with the arguments after `smoke`; resolves with the exit code. Throws UsageError
 * for a bad command line.
 *
 * @example
 * ```ts
 * process.exit(await smoke(["--url", "http://127.0.0.1:8080/", "--feed", "in", "--sample", "sample.jsonl", "--p99-max", "2ms"]));
 * ```
 */
export async function smoke(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const options = parseSmokeArguments(argv, env);
  const address = adminAddress(options.url, options.token);
  const checks = await runChecks(address, options);
  const ok = checks.every((check) => check.ok);
  if (options.json) console.log(JSON.stringify({ ok, url: String(address.base), checks }));
  else console.log(report(String(address.base), checks));
  return ok ? 0 : 1;
}

/** The checks in order; once the server cannot be reached or read, the rest are not run. */
async function runChecks(address: AdminAddress, options: SmokeOptions): Promise<CheckResult[]> {
  const topology = await readJson<Topology>(address, "api/topology");
  if ("problem" in topology) return [{ name: "reachable", ok: false, detail: topology.problem }];
  if (topology.status !== 200) return [{ name: "reachable", ok: false, detail: `GET /api/topology answered ${topology.status}: ${JSON.stringify(topology.body)}` }];
  const checks: CheckResult[] = [{ name: "reachable", ok: true, detail: `${topology.body.agents.length} agents, ${topology.body.feeds.length} feeds, ${topology.body.sinks.length} sinks` }];
  checks.push(await probeCheck(address, "live"), await probeCheck(address, "ready"));
  checks.push(await agentsCheck(address, topology.body, options.windowMs));
  checks.push(await ringsCheck(address, options.maxBacklog, Math.min(options.windowMs, 1_000)));
  if (options.sample) {
    const expected = options.expectSinks ?? new Map(topology.body.sinks.map((sink) => [sink.name, options.sample!.count]));
    checks.push(await injectionCheck(address, options.sample.feed, options.sample.lines, expected, options.timeoutMs));
  }
  if (options.p99MaxMs !== undefined) checks.push(await latencyCheck(address, options.p99MaxMs));
  return checks;
}

/** One line per check, then the verdict. */
function report(url: string, checks: CheckResult[]): string {
  const width = Math.max(...checks.map((check) => check.name.length));
  const failed = checks.filter((check) => !check.ok).length;
  return [
    `mongoose smoke ${url}`,
    ...checks.map((check) => `${check.ok ? "PASS" : "FAIL"}  ${check.name.padEnd(width)}  ${check.detail}`),
    failed === 0 ? `passed: ${checks.length} checks` : `FAILED: ${failed} of ${checks.length} checks`,
  ].join("\n");
}

/**
 * Reads and checks the command line.
 *
 * @example
 * ```ts
 * parseSmokeArguments(["--feed", "in", "--sample", "s.jsonl", "--expect-sink", "out=2"], {}).expectSinks; // Map { "out" => 2 }
 * ```
 */
export function parseSmokeArguments(argv: string[], env: Record<string, string | undefined>): SmokeOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      feed: { type: "string" },
      sample: { type: "string" },
      "expect-sink": { type: "string", multiple: true },
      "p99-max": { type: "string" },
      timeout: { type: "string" },
      window: { type: "string" },
      "max-backlog": { type: "string" },
      json: { type: "boolean" },
    },
  });
  if (positionals.length > 0) throw new UsageError(`smoke takes options only, got "${positionals.join(" ")}"`);
  if ((values.feed === undefined) !== (values.sample === undefined)) throw new UsageError("--feed and --sample go together: the memory feed to inject into and the JSON-lines file to inject");
  if (values["expect-sink"] && values.sample === undefined) throw new UsageError("--expect-sink needs --feed and --sample (the events whose outputs it counts)");
  const options: SmokeOptions = {
    url: values.url ?? env.MONGOOSE_ADMIN_URL ?? DEFAULT_ADMIN_URL,
    token: values.token ?? env.MONGOOSE_ADMIN_TOKEN,
    timeoutMs: values.timeout === undefined ? 10_000 : parseDuration(values.timeout, "--timeout"),
    windowMs: values.window === undefined ? 5_000 : parseDuration(values.window, "--window"),
    maxBacklog: values["max-backlog"] === undefined ? 0.5 : parsePercent(values["max-backlog"]),
    json: values.json ?? false,
  };
  if (values["p99-max"] !== undefined) options.p99MaxMs = parseDuration(values["p99-max"], "--p99-max");
  if (values.sample !== undefined) {
    const lines = readSample(values.sample);
    options.sample = { feed: values.feed!, lines, count: lines.split("\n").filter((line) => line.trim() !== "").length };
  }
  if (values["expect-sink"]) options.expectSinks = new Map(values["expect-sink"].map(parseExpectation));
  return options;
}

function readSample(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--sample ${file} cannot be read: ${(error as Error).message}`);
  }
}

function parseExpectation(text: string): [string, number] {
  const match = /^(.+)=(\d+)$/.exec(text);
  if (!match) throw new UsageError(`--expect-sink must be NAME=COUNT (e.g. out=3), got "${text}"`);
  return [match[1], Number(match[2])];
}

function parsePercent(text: string): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (!match || Number(match[1]) > 100) throw new UsageError(`--max-backlog must be a percentage of a ring's bytes, e.g. 50%; got "${text}"`);
  return Number(match[1]) / 100;
}
