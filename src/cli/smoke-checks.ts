/**
 * The checks of `mongoose smoke`, each read from a running server's admin HTTP API and judged into one
 * PASS/FAIL line with a reason: live, ready, every agent advancing, no ring backed up, sample events
 * reaching the sinks, and p99 latency under a limit. Every check waits on what the server reports (it
 * polls until the condition holds or its time is up), never on a fixed sleep.
 *
 * @module
 */
import type { AgentStatus } from "../core/supervisor/agent-health.ts";
import type { Topology } from "../core/supervisor/server-views.ts";
import type { LatencySummary } from "../core/latency/latency-report.ts";
import { type AdminAddress, ask } from "./admin-client.ts";

/**
 * One check's verdict: `detail` says what was seen (why it failed, when it did).
 *
 * @example
 * ```ts
 * const check: CheckResult = { name: "live", ok: false, detail: 'agent "p" is unresponsive: no heartbeat for 5012 ms' };
 * ```
 */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/** What `GET /api/stats` answers, as far as the checks read it. */
interface Stats {
  counters: { name: string; labels: Record<string, string>; value: number }[];
  rings: Topology["rings"];
  agents: AgentStatus[];
}

/** A JSON answer, or why the server could not be asked (unreachable, refused the token, not JSON). */
type Answer<T> = { status: number; body: T } | { problem: string };

/** How often the polling checks ask again. */
const POLL_MS = 250;

/** Resolves after `ms`: the time between two reads of the server, whose answers decide. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `GET`s (or sends) `path` and reads its JSON answer.
 *
 * @example
 * ```ts
 * const answer = await readJson<Topology>(address, "api/topology");
 * if ("problem" in answer) console.error(answer.problem);
 * ```
 */
export async function readJson<T>(address: AdminAddress, path: string, init: RequestInit = { method: "GET" }): Promise<Answer<T>> {
  const response = await ask(address, path, init);
  if (typeof response === "string") return { problem: response };
  if (response.status === 401) return { problem: `${init.method} /${path} was refused (401): give the server's admin.token with --token or MONGOOSE_ADMIN_TOKEN` };
  const body = await response.json().catch(() => undefined);
  if (body === undefined) return { problem: `${init.method} /${path} answered ${response.status} without JSON: is ${address.base} a mongoose admin server?` };
  return { status: response.status, body: body as T };
}

/**
 * `/health/live` or `/health/ready`: PASS on 200, FAIL with the server's reasons on 503.
 *
 * @example
 * ```ts
 * await probeCheck(address, "ready"); // { name: "ready", ok: false, detail: 'ring "in" … is backed up …' }
 * ```
 */
export async function probeCheck(address: AdminAddress, probe: "live" | "ready"): Promise<CheckResult> {
  const answer = await readJson<{ reasons?: string[]; agents?: AgentStatus[] }>(address, `health/${probe}`);
  if ("problem" in answer) return { name: probe, ok: false, detail: answer.problem };
  if (answer.status === 200) return { name: probe, ok: true, detail: probe === "live" ? `${answer.body.agents?.length ?? 0} agents responsive` : "started, feeds connected, backlogs under the limit" };
  return { name: probe, ok: false, detail: `${answer.status}: ${(answer.body.reasons ?? ["no reason given"]).join("; ")}` };
}

/**
 * Every agent of the topology is reported by the health view, running, and its duty-cycle counter grew
 * within `windowMs` (a parked agent runs a cycle when the watchdog probes it, every few seconds). Ends as
 * soon as every agent moved. The heartbeat age is no proof of progress: the watchdog notes a beat up to a
 * second after it happened, so a beat from just before a handler got stuck can look fresh.
 *
 * @example
 * ```ts
 * await agentsCheck(address, topology, 5_000); // { name: "agents", ok: true, detail: "3 agents advancing" }
 * ```
 */
export async function agentsCheck(address: AdminAddress, topology: Topology, windowMs: number): Promise<CheckResult> {
  const first = await readJson<Stats>(address, "api/stats");
  if ("problem" in first) return { name: "agents", ok: false, detail: first.problem };
  const problems: string[] = [];
  const waiting = new Map<string, number>();
  for (const agent of topology.agents) {
    const status = first.body.agents.find((candidate) => candidate.name === agent.name);
    if (!status) problems.push(`agent "${agent.name}" is in the topology but has no health status`);
    else if (status.state !== "running") problems.push(`agent "${agent.name}" is ${status.state}${status.reason ? `: ${status.reason}` : ""}`);
    // An inline agent runs on the supervisor's thread, which just answered: it is advancing.
    else if (status.mode === "worker") waiting.set(agent.name, dutyCycles(first.body, agent.name));
  }
  const startedAt = performance.now();
  let last = first.body;
  while (waiting.size > 0 && performance.now() - startedAt < windowMs) {
    await pause(POLL_MS);
    const next = await readJson<Stats>(address, "api/stats");
    if ("problem" in next) return { name: "agents", ok: false, detail: next.problem };
    last = next.body;
    for (const [name, cycles] of waiting) if (dutyCycles(last, name) > cycles) waiting.delete(name);
  }
  for (const name of waiting.keys()) {
    const status = last.agents.find((candidate) => candidate.name === name);
    const state = status && status.state !== "running" ? `; it is now ${status.state}${status.reason ? `: ${status.reason}` : ""}` : "";
    problems.push(`agent "${name}" ran no duty cycle in ${windowMs} ms (heartbeat ${status?.heartbeatAgeMs ?? "?"} ms old: stuck in a handler?)${state}`);
  }
  return problems.length > 0 ? { name: "agents", ok: false, detail: problems.join("; ") } : { name: "agents", ok: true, detail: `${topology.agents.length} agents advancing` };
}

/** The agent's duty cycles so far (0 for an agent with no counter block). */
function dutyCycles(stats: Stats, agent: string): number {
  return sumCounters(stats, "agent_duty_cycles_total", "agent", agent);
}

/** The sum of the counters called `name` whose label `label` is `value`. */
function sumCounters(stats: Stats, name: string, label: string, value: string): number {
  return stats.counters.filter((counter) => counter.name === name && counter.labels[label] === value).reduce((sum, counter) => sum + counter.value, 0);
}

/** Events a ring's producer dropped for its consumer, whatever the reason. */
const droppedBy = (ring: Topology["rings"][number]) => ring.droppedNewest + ring.droppedOldest + ring.droppedDisconnected;

/**
 * No ring holds more than `maxFraction` of its bytes, none disconnected its consumer, and no ring's
 * drops grew between two reads of `/api/stats` `spanMs` apart.
 *
 * @example
 * ```ts
 * await ringsCheck(address, 0.5, 1_000); // { name: "rings", ok: false, detail: 'feed ring "in" … 97% full …' }
 * ```
 */
export async function ringsCheck(address: AdminAddress, maxFraction: number, spanMs: number): Promise<CheckResult> {
  const before = await readJson<Stats>(address, "api/stats");
  if ("problem" in before) return { name: "rings", ok: false, detail: before.problem };
  await pause(spanMs);
  const after = await readJson<Stats>(address, "api/stats");
  if ("problem" in after) return { name: "rings", ok: false, detail: after.problem };
  const problems: string[] = [];
  for (const ring of after.body.rings) {
    const label = `${ring.kind} ring "${ring.name}" from "${ring.producer}" to "${ring.consumer}"`;
    const earlier = before.body.rings.find((r) => r.kind === ring.kind && r.name === ring.name && r.producer === ring.producer && r.consumer === ring.consumer);
    const fraction = ring.usedBytes / ring.capacityBytes;
    if (fraction > maxFraction) problems.push(`${label} is backed up: ${Math.round(fraction * 100)}% full (${ring.depth} events queued, limit ${Math.round(maxFraction * 100)}%)`);
    if (ring.disconnected) problems.push(`${label} disconnected its consumer (onFull: disconnect)`);
    if (earlier && droppedBy(ring) > droppedBy(earlier)) problems.push(`${label} dropped ${droppedBy(ring) - droppedBy(earlier)} events in ${spanMs} ms (onFull: ${ring.onFull})`);
  }
  return problems.length > 0 ? { name: "rings", ok: false, detail: problems.join("; ") } : { name: "rings", ok: true, detail: `${after.body.rings.length} rings under ${Math.round(maxFraction * 100)}% full, no drops` };
}

/**
 * Offers `events` (JSON lines) into the memory feed `feed`, then waits up to `timeoutMs` for each sink of
 * `expected` to have written at least its count more values than before.
 *
 * @example
 * ```ts
 * await injectionCheck(address, "in", '{"n":1}\n{"n":2}\n', new Map([["out", 2]]), 10_000);
 * // { name: "injection", ok: true, detail: "2 events into in; out +2" }
 * ```
 */
export async function injectionCheck(address: AdminAddress, feed: string, events: string, expected: Map<string, number>, timeoutMs: number): Promise<CheckResult> {
  const before = await readJson<Stats>(address, "api/stats");
  if ("problem" in before) return { name: "injection", ok: false, detail: before.problem };
  const path = `api/feeds/${encodeURIComponent(feed)}/events`;
  const offered = await readJson<{ offered?: number; error?: string }>(address, path, { method: "POST", body: events, headers: { "content-type": "application/x-ndjson" } });
  if ("problem" in offered) return { name: "injection", ok: false, detail: offered.problem };
  if (offered.status !== 200) return { name: "injection", ok: false, detail: `the server refused the sample (${offered.status}): ${offered.body.error}` };
  const written = (stats: Stats, sink: string) => sumCounters(stats, "sink_written_total", "sink", sink);
  const startedAt = performance.now();
  let growth = new Map<string, number>();
  for (;;) {
    const now = await readJson<Stats>(address, "api/stats");
    if ("problem" in now) return { name: "injection", ok: false, detail: now.problem };
    growth = new Map([...expected.keys()].map((sink) => [sink, written(now.body, sink) - written(before.body, sink)]));
    if ([...expected].every(([sink, count]) => growth.get(sink)! >= count)) break;
    if (performance.now() - startedAt >= timeoutMs) {
      const short = [...expected].filter(([sink, count]) => growth.get(sink)! < count).map(([sink, count]) => `sink "${sink}" wrote ${growth.get(sink)} of ${count}`);
      return { name: "injection", ok: false, detail: `${offered.body.offered} events into ${feed}, but within ${timeoutMs} ms ${short.join(", ")}` };
    }
    await pause(POLL_MS);
  }
  const counts = [...growth].map(([sink, count]) => `${sink} +${count}`).join(", ");
  return { name: "injection", ok: true, detail: `${offered.body.offered} events into ${feed}; ${counts || "no sinks to watch"}` };
}

/**
 * Every handler's publish→handle p99 (from `/api/latency`) is at most `maxMs`. Handlers that timed no
 * event yet are not judged (they have no p99).
 *
 * @example
 * ```ts
 * await latencyCheck(address, 2); // { name: "p99", ok: false, detail: 'handler "pnl" on "p": p99 3.1 ms > 2 ms' }
 * ```
 */
export async function latencyCheck(address: AdminAddress, maxMs: number): Promise<CheckResult> {
  const answer = await readJson<LatencySummary & { error?: string }>(address, "api/latency");
  if ("problem" in answer) return { name: "p99", ok: false, detail: answer.problem };
  if (answer.status !== 200) return { name: "p99", ok: false, detail: `${answer.status}: ${answer.body.error}` };
  const timed = answer.body.handlers.filter((handler) => handler.latency.count > 0);
  if (timed.length === 0) return { name: "p99", ok: true, detail: `no handler has timed an event yet (one in ${answer.body.sampleEvery} is timed): nothing to judge` };
  const slow = timed.filter((handler) => handler.latency.p99 / 1000 > maxMs);
  const show = (us: number) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${Math.round(us)} us`);
  if (slow.length > 0) return { name: "p99", ok: false, detail: slow.map((h) => `handler "${h.handler}" on "${h.agent}": p99 ${show(h.latency.p99)} > ${show(maxMs * 1000)}`).join("; ") };
  const worst = Math.max(...timed.map((handler) => handler.latency.p99));
  return { name: "p99", ok: true, detail: `worst p99 ${show(worst)} <= ${show(maxMs * 1000)} over ${timed.length} handlers` };
}
