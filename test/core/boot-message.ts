/**
 * The boot message the supervisor would send one agent of a plan, for tests that build agents directly.
 *
 * @module
 */
import { AgentSignals } from "../../src/agent/signals.ts";
import { agentCounterSubjects, allocateCounters, counterLayout } from "../../src/core/counters.ts";
import type { AgentBoot, Endpoint } from "../../src/core/protocol.ts";
import { serviceLocation } from "../../src/core/supervisor/service-registrar.ts";
import type { ServerPlan } from "../../src/plan/types.ts";

/** Small engine tuning for tests: short parks, a short offer timeout. */
export const TEST_TUNING = { batchSize: 16, sliceMs: 5, maxParkMs: 10, offerTimeoutMs: 1_000, keepAlive: true };

/**
 * @example
 * ```ts
 * const host = await AgentHost.create(agentBoot(plan, "a"), environment);
 * ```
 */
export function agentBoot(plan: ServerPlan, name: string, endpoints: Endpoint[] = []): AgentBoot {
  const agent = plan.agents.find((a) => a.name === name)!;
  return {
    plan: agent,
    serverId: crypto.randomUUID(),
    eventTypes: plan.eventTypes,
    feeds: plan.feeds,
    sinks: plan.sinks,
    services: plan.services.map(serviceLocation),
    endpoints,
    pipeSequences: new SharedArrayBuffer(8),
    epochOriginMs: performance.timeOrigin,
    signals: AgentSignals.allocate(),
    counters: allocateCounters(counterLayout(agentCounterSubjects(agent, plan.feeds, plan.sinks))),
    log: { level: "silent", format: "text" },
    tuning: TEST_TUNING,
  };
}
