/**
 * Runtime tuning as metrics, from the topology: each agent's batch size in force, which of its settings
 * are tuned away from the configuration, and which feeds and handlers are paused. The idle strategy in
 * force is the `idle_strategy` label of `mongoose_agent_info`; a ring's policy in force is in the
 * topology's rings (`onFull`, with `tuned` when changed at runtime).
 *
 * @module
 */
import type { Topology } from "../../core/supervisor/server-views.ts";
import type { MetricCollector, MetricFamily, MetricSample } from "./metric-family.ts";

/** The agent settings runtime tuning changes, as `setting` labels. */
const AGENT_SETTINGS = ["idleStrategy", "batchSize"];

/**
 * The tuning families of a topology.
 *
 * @example
 * ```ts
 * tuningFamilies(server.topology()).map((family) => family.name); // ["mongoose_agent_batch_size", "mongoose_agent_tuned", "mongoose_component_paused"]
 * ```
 */
export function tuningFamilies(topology: Topology): MetricFamily[] {
  const paused: MetricSample[] = [
    ...topology.feeds.map((feed) => ({ labels: { kind: "feed", component: feed.name, agent: feed.host }, value: feed.paused ? 1 : 0 })),
    ...topology.agents.flatMap((agent) => agent.handlers.map((handler) => ({ labels: { kind: "handler", component: handler.name, agent: agent.name }, value: handler.paused ? 1 : 0 }))),
  ];
  return [
    {
      name: "mongoose_agent_batch_size",
      help: "Most events the agent takes from one ring per duty cycle, as in force now (agent.batchSize changes it).",
      type: "gauge",
      samples: topology.agents.map((agent) => ({ labels: { agent: agent.name }, value: agent.batchSize })),
    },
    {
      name: "mongoose_agent_tuned",
      help: "1 when the agent's setting was tuned away from the configuration at runtime (tuning.reset reverts it), else 0.",
      type: "gauge",
      samples: topology.agents.flatMap((agent) => AGENT_SETTINGS.map((setting) => ({ labels: { agent: agent.name, setting }, value: agent.tuned?.includes(setting) ? 1 : 0 }))),
    },
    {
      name: "mongoose_component_paused",
      help: "1 while the feed or handler is paused (feed.pause, handler.pause), else 0.",
      type: "gauge",
      samples: paused,
    },
  ];
}

/**
 * @example
 * ```ts
 * const families = await tuningMetrics(server);
 * ```
 */
export const tuningMetrics: MetricCollector = (server) => tuningFamilies(server.topology());
