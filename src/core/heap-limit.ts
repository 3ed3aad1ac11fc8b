/**
 * Where `agentThreads[].maxHeapMb` cannot be enforced, and why: the agent boots anyway and logs this, so a
 * user never believes in a bound that is not there.
 *
 * @module
 */
import type { AgentPlan } from "../plan/types.ts";
import type { Runtime } from "../runtime/types.ts";

/**
 * Why the agent's heap bound is not enforced, or `undefined` when it is (or none is set). `runtime` is the
 * adapter a worker agent runs on; an inline agent needs none, its bound is never enforced.
 *
 * @example
 * ```ts
 * const why = unenforcedHeapLimit(plan, runtime);
 * if (why) log.warn(why, { maxHeapMb: plan.maxHeapMb });
 * ```
 */
export function unenforcedHeapLimit(plan: AgentPlan, runtime?: Pick<Runtime, "name" | "boundsWorkerHeap">): string | undefined {
  if (plan.maxHeapMb === undefined) return undefined;
  const notEnforced = `maxHeapMb ${plan.maxHeapMb} of agent "${plan.name}" is not enforced`;
  if (plan.mode === "inline") return `${notEnforced}: an inline agent shares the supervisor's thread and heap`;
  if (runtime && !runtime.boundsWorkerHeap) {
    return `${notEnforced}: ${runtime.name} cannot bound one worker's heap, so a runaway handler here can exhaust the process's memory`;
  }
  return undefined;
}
