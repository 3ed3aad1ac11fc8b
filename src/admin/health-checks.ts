/**
 * What `/health/live` and `/health/ready` decide, from the embedding API alone. Live: every agent's duty
 * cycle answers (the watchdog's verdict, which probes a parked agent before calling it stuck). Ready: live
 * agents that all started, every feed connected (or done), no ring's backlog over the limit, and no
 * subscriber disconnected by its ring's `onFull: disconnect` policy.
 *
 * @module
 */
import type { FeedStatusEntry } from "../core/protocol.ts";
import type { AgentStatus } from "../core/supervisor/agent-health.ts";
import type { BacklogLimit } from "../plan/types.ts";
import type { AdminTarget } from "./admin-target.ts";

/**
 * A probe's verdict: `reasons` say what is wrong when `ok` is false.
 *
 * @example
 * ```ts
 * const verdict: ProbeResult = { ok: false, reasons: ['agent "a" is dead: worker exited'] };
 * ```
 */
export interface ProbeResult {
  ok: boolean;
  reasons: string[];
}

/**
 * How long readiness waits for the feeds' hosts to report their status: under a Kubernetes probe's
 * default 1 s timeout, so a stuck agent yields a 503 with a reason instead of a probe timeout.
 */
const FEED_STATUS_WAIT_MS = 900;

/**
 * Liveness: every agent running or being restarted (the supervisor answers, or this request would not be served).
 *
 * @example
 * ```ts
 * const { ok, reasons } = liveness(server); // reasons: ['agent "processor" is unresponsive: no heartbeat for 5012 ms …']
 * ```
 */
export function liveness(server: AdminTarget): ProbeResult {
  // A restarting agent leaves the server live: the supervisor is mending it (a liveness probe failing
  // now would have the process killed, restarting every agent instead of one). Readiness says so.
  const reasons = server.health().agents
    .filter((agent) => agent.state !== "running" && agent.state !== "restarting")
    .map(describeAgentState);
  return { ok: reasons.length === 0, reasons };
}

function describeAgentState(agent: AgentStatus): string {
  return `agent "${agent.name}" is ${agent.state}${agent.reason ? `: ${agent.reason}` : ""}`;
}

/**
 * Readiness: liveness, every feed connected or completed, and every ring's backlog within `limit`.
 *
 * @example
 * ```ts
 * const { ok, reasons } = await readiness(server, { fraction: 0.5 });
 * // reasons: ['feed "trades" on agent "reader" is not connected: waiting for data-in/trades.jsonl']
 * ```
 */
export async function readiness(server: AdminTarget, limit: BacklogLimit): Promise<ProbeResult> {
  const restarting = server.health().agents.filter((agent) => agent.state === "restarting").map(describeAgentState);
  const reasons = [...liveness(server).reasons, ...restarting, ...await feedReasons(server)];
  for (const ring of server.topology().rings) {
    if (ring.disconnected) {
      reasons.push(`${ring.kind} "${ring.name}" disconnected its subscriber agent "${ring.consumer}": the ring from "${ring.producer}" was full (onFull: disconnect); ${ring.droppedDisconnected} events dropped for it`);
    }
    const over = "events" in limit ? ring.depth > limit.events : ring.usedBytes > limit.fraction * ring.capacityBytes;
    if (!over) continue;
    const allowed = "events" in limit ? `${limit.events} events` : `${limit.fraction * 100}% of its ${ring.capacityBytes} bytes`;
    reasons.push(`${ring.kind} ring "${ring.name}" from "${ring.producer}" to "${ring.consumer}" is backed up: ${ring.depth} events (${ring.usedBytes} bytes) queued, over admin.readiness.maxBacklog (${allowed})`);
  }
  return { ok: reasons.length === 0, reasons };
}

async function feedReasons(server: AdminTarget): Promise<string[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), FEED_STATUS_WAIT_MS)));
  try {
    const status: FeedStatusEntry[] | "late" = await Promise.race([server.feedStatus(), late]);
    if (status === "late") return [`the agents hosting feeds and sinks did not report their status within ${FEED_STATUS_WAIT_MS} ms`];
    return status
      .filter((feed) => !feed.connected && !feed.completed)
      .map((feed) => `${feed.kind ?? "feed"} "${feed.feed}" on agent "${feed.agent}" is not connected${feed.detail ? `: ${feed.detail}` : ""}`);
  } finally {
    clearTimeout(timer);
  }
}
