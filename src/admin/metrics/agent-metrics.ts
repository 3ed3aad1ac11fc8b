/**
 * Each agent's identity and liveness: `mongoose_agent_info` (value 1, the facts in labels, so a
 * dashboard can join on `agent`), the age of its heartbeat, which the supervisor reads from shared
 * memory, and how often it was restarted. Duty and idle cycles come from the counters (`mongoose_agent_duty_cycles_total`, …).
 *
 * @module
 */
import type { AgentStatus } from "../../core/supervisor/agent-health.ts";
import type { Topology } from "../../core/supervisor/server-views.ts";
import type { MetricCollector, MetricFamily } from "./metric-family.ts";

/**
 * The agent families of a topology and the agents' health. `core` is the CPU the agent's thread is pinned
 * to, empty when it is not pinned; only worker agents have a heartbeat.
 *
 * @example
 * ```ts
 * agentFamilies(server.topology().agents, server.health().agents)[0].samples[0].labels;
 * // { agent: "processor", mode: "worker", idle_strategy: "busySpin", core: "", state: "running" }
 * ```
 */
export function agentFamilies(agents: Topology["agents"], statuses: readonly AgentStatus[]): MetricFamily[] {
  return [
    {
      name: "mongoose_agent_info",
      help: "1 for every agent; its mode, idle strategy, pinned core (empty when not pinned) and state are in the labels.",
      type: "gauge",
      samples: agents.map((agent) => ({
        labels: { agent: agent.name, mode: agent.mode, idle_strategy: agent.idleStrategy, core: agent.pinnedCore === undefined ? "" : String(agent.pinnedCore), state: agent.state },
        value: 1,
      })),
    },
    {
      name: "mongoose_agent_heartbeat_age_seconds",
      help: "Seconds since the worker agent's duty-cycle heartbeat last moved.",
      type: "gauge",
      samples: statuses.filter((status) => status.heartbeatAgeMs !== undefined).map((status) => ({ labels: { agent: status.name }, value: status.heartbeatAgeMs! / 1000 })),
    },
    {
      name: "mongoose_agent_restarts_total",
      help: "Restart attempts after the agent's worker died, counted as the restart budget counts them (agents with restart: always).",
      type: "counter",
      samples: statuses.filter((status) => status.restarts !== undefined).map((status) => ({ labels: { agent: status.name }, value: status.restarts! })),
    },
  ];
}

/**
 * @example
 * ```ts
 * const families = await agentMetrics(server);
 * ```
 */
export const agentMetrics: MetricCollector = (server) => agentFamilies(server.topology().agents, server.health().agents);
