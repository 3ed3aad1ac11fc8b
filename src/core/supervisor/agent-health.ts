/**
 * How each agent is doing, as the supervisor sees it: its state, why it is dead or unresponsive, its
 * CPU pinning, and the watchdog that reads worker heartbeats from shared memory (no messaging), probes
 * a quiet agent (see agent/liveness.ts) and reports one whose duty cycle stopped advancing.
 *
 * @module
 */
import { type HeartbeatRecord, judgeLiveness, watchdogIntervalMs } from "../../agent/liveness.ts";
import type { AgentPlan } from "../../plan/types.ts";
import type { AgentEndpoint } from "../agent-endpoint.ts";
import { unrefTimer } from "../keep-alive.ts";

/** How an agent is doing, as the supervisor sees it. */
export type AgentState = "starting" | "running" | "unresponsive" | "restarting" | "dead" | "stopped";

export interface AgentStatus {
  name: string;
  mode: "worker" | "inline";
  state: AgentState;
  /** Why the agent is dead, unresponsive or restarting. */
  reason?: string;
  /**
   * Restart attempts after its worker died (a new worker started, whether or not it came up): what the
   * restart budget counts. Present for agents with `restart: always`.
   */
  restarts?: number;
  /** Milliseconds since its heartbeat last moved (workers only). */
  heartbeatAgeMs?: number;
  /** The CPU the agent's thread is actually pinned to; absent unless pinning to its `coreId` succeeded. */
  pinnedCore?: number;
  /**
   * What became of its `coreId`, for people: `pinned to CPU 1 (tid 12345)` or `not pinned: <why>` (no
   * FFI, sched_setaffinity failed, inline agent). Absent when no `coreId` is configured.
   */
  pinning?: string;
}

/** What the watchdog tells the supervisor. */
export interface HealthEvents {
  unresponsive(agent: string, reason: string): void;
  responsiveAgain(agent: string): void;
}

type Tracked = AgentStatus & HeartbeatRecord;

/**
 * @example
 * ```ts
 * const health = new AgentHealth(5_000, { unresponsive: (a, why) => log.error(why), responsiveAgain: () => {} });
 * health.starting(plan);
 * health.setState("processor", "running");
 * health.watch(() => agents.values());
 * health.list(); // [{ name: "processor", mode: "worker", state: "running", heartbeatAgeMs: 3 }]
 * ```
 */
export class AgentHealth {
  private readonly tracked = new Map<string, Tracked>();
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly unresponsiveAfterMs: number, private readonly events: HealthEvents) {}

  starting(plan: AgentPlan): void {
    this.tracked.set(plan.name, { name: plan.name, mode: plan.mode, state: "starting", lastHeartbeat: 0, lastBeatAt: performance.now() });
    if (plan.restart && plan.mode === "worker") this.tracked.get(plan.name)!.restarts = 0;
    // Workers report their pinning; an inline agent shares the supervisor's thread, which is never pinned.
    if (plan.mode === "inline" && plan.coreId !== undefined) this.tracked.get(plan.name)!.pinning = "not pinned: an inline agent runs on the supervisor's thread";
  }

  /** No longer tracks an agent (one started for a registration that failed). */
  forget(agent: string): void {
    this.tracked.delete(agent);
  }

  setState(agent: string, state: AgentState, reason?: string): void {
    const status = this.tracked.get(agent);
    if (!status) return;
    status.state = state;
    status.reason = reason;
  }

  setPinning(agent: string, core: number | undefined, detail: string): void {
    const status = this.tracked.get(agent);
    if (status) Object.assign(status, { pinnedCore: core, pinning: detail });
  }

  /** The agent's worker died and a new one is on its way: `reason` says which attempt and why. */
  restarting(agent: string, reason: string): void {
    this.setState(agent, "restarting", reason);
  }

  /**
   * A restart attempt begins: counted now, as the restart budget counts it, so an attempt that fails (or
   * whose worker dies before its last boot step is answered) is not missing from the count.
   */
  restartAttempted(agent: string): void {
    const status = this.tracked.get(agent);
    if (status) status.restarts = (status.restarts ?? 0) + 1;
  }

  /** A new worker runs the agent again; its heartbeat is judged afresh. */
  restarted(agent: string): void {
    const status = this.tracked.get(agent);
    if (!status) return;
    this.setState(agent, "running");
    status.lastBeatAt = performance.now();
    status.probedAt = undefined;
  }

  /** The agent's state, if it is tracked. */
  stateOf(agent: string): AgentState | undefined {
    return this.tracked.get(agent)?.state;
  }

  /** Marks the agent dead; false if it already was dead or stopped (nothing new to report). */
  died(agent: string, reason: string): boolean {
    const status = this.tracked.get(agent);
    if (!status || status.state === "dead" || status.state === "stopped") return false;
    this.setState(agent, "dead", reason);
    return true;
  }

  isDead(agent: string): boolean {
    return this.tracked.get(agent)?.state === "dead";
  }

  /** Every agent's status. */
  list(): AgentStatus[] {
    const now = performance.now();
    return [...this.tracked.values()].map(({ lastHeartbeat: _beat, lastBeatAt, probedAt: _probed, ...status }) =>
      status.mode === "worker" ? { ...status, heartbeatAgeMs: Math.round(now - lastBeatAt) } : status
    );
  }

  /** Starts reading heartbeats of the worker agents `agents()` returns. */
  watch(agents: () => Iterable<AgentEndpoint>): void {
    this.watchdog = setInterval(() => this.check(agents()), watchdogIntervalMs(this.unresponsiveAfterMs));
    unrefTimer(this.watchdog); // holding the process open is the server's keepAlive's job
  }

  unwatch(): void {
    clearInterval(this.watchdog);
  }

  private check(agents: Iterable<AgentEndpoint>): void {
    const now = performance.now();
    for (const agent of agents) {
      const status = this.tracked.get(agent.name)!;
      if (agent.plan.mode !== "worker" || status.state === "dead" || status.state === "stopped" || status.state === "restarting") continue;
      const verdict = judgeLiveness(status, agent.signals.heartbeat(), now, this.unresponsiveAfterMs);
      if (verdict === "probe") agent.signals.wake.signal(); // a parked agent answers with a heartbeat
      if (verdict === "beating") {
        if (status.state === "unresponsive") {
          this.setState(agent.name, "running");
          this.events.responsiveAgain(agent.name);
        }
      } else if (verdict === "unresponsive" && status.state === "running") {
        const reason = `no heartbeat for ${Math.round(now - status.lastBeatAt)} ms (stuck in a handler, or its thread ended)`;
        this.setState(agent.name, "unresponsive", reason);
        this.events.unresponsive(agent.name, reason);
      }
    }
  }
}
