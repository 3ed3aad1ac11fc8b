/**
 * What changed between the running plan and a reloaded one: the handlers whose `configMap` differs (a
 * live update can apply those) and every other difference (only a restart can apply those).
 *
 * @module
 */
import type { ServerPlan } from "./types.ts";

/** A handler whose configMap differs in the new plan. */
export interface ConfigChange {
  agent: string;
  handler: string;
  /** Its whole new configMap. */
  config: Record<string, unknown>;
}

/** The outcome of {@link diffPlans}. */
export interface PlanDiff {
  configChanges: ConfigChange[];
  /** Paths of the other differences, e.g. `agents.processor.idle.type` or `feeds.prices: added`. */
  needsRestart: string[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isNamedList = (value: unknown): value is { name: string }[] => Array.isArray(value) && value.every((item) => isRecord(item) && typeof item.name === "string");

/** Collects the paths where `a` and `b` differ; lists of named items are matched by name, not position. */
function differences(a: unknown, b: unknown, path: string, found: string[]): void {
  if (Object.is(a, b)) return;
  if (isNamedList(a) && isNamedList(b)) {
    const before = new Map(a.map((item) => [item.name, item]));
    const after = new Map(b.map((item) => [item.name, item]));
    for (const [name, item] of before) {
      if (!after.has(name)) found.push(`${path}.${name}: removed`);
      else differences(item, after.get(name), `${path}.${name}`, found);
    }
    for (const name of after.keys()) if (!before.has(name)) found.push(`${path}.${name}: added`);
    return;
  }
  if ((isRecord(a) && isRecord(b)) || (Array.isArray(a) && Array.isArray(b))) {
    const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
    for (const key of keys) differences((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key, found);
    return;
  }
  found.push(path);
}

/** The plan with every handler's configMap left out (those are compared on their own). */
function withoutConfigMaps(plan: ServerPlan): ServerPlan {
  return { ...plan, agents: plan.agents.map((agent) => ({ ...agent, handlers: agent.handlers.map(({ config: _config, ...handler }) => ({ ...handler, config: {} })) })) };
}

/**
 * @example
 * ```ts
 * const { configChanges, needsRestart } = diffPlans(runningPlan, reloadedPlan);
 * // configChanges: [{ agent: "processor", handler: "pnl", config: { currency: "EUR" } }]
 * // needsRestart: ["agents.processor.idle.type"]
 * ```
 */
export function diffPlans(running: ServerPlan, next: ServerPlan): PlanDiff {
  const needsRestart: string[] = [];
  differences(withoutConfigMaps(running), withoutConfigMaps(next), "", needsRestart);
  const configChanges: ConfigChange[] = [];
  for (const agent of next.agents) {
    const before = running.agents.find((a) => a.name === agent.name);
    for (const handler of agent.handlers) {
      const old = before?.handlers.find((h) => h.name === handler.name);
      if (!old) continue; // a new handler: already reported as needing a restart
      const changed: string[] = [];
      differences(old.config, handler.config, "", changed);
      if (changed.length > 0) configChanges.push({ agent: agent.name, handler: handler.name, config: handler.config });
    }
  }
  return { configChanges, needsRestart };
}
