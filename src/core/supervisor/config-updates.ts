/**
 * Live configuration changes from the supervisor's side: find the handler an update names, send the
 * update to its agent, keep the running plan's configMap in step (so a later reload compares against
 * what runs), and apply the configMap differences of a reloaded plan.
 *
 * @module
 */
import { diffPlans } from "../../plan/plan-diff.ts";
import type { AgentPlan, HandlerPlan, ServerPlan } from "../../plan/types.ts";
import type { AgentEndpoint } from "../agent-endpoint.ts";
import { describeThrown } from "../errors.ts";

/** What became of one handler's config update. */
export type ConfigUpdateResult =
  | { ok: true; agent: string; handler: string; config: Record<string, unknown> }
  | { ok: false; agent?: string; handler: string; error: string };

/** What a reload applied, rejected, and left for a restart. */
export interface ReloadReport {
  /** configMap changes applied live (each handler's `onConfigChange` accepted it). */
  applied: Extract<ConfigUpdateResult, { ok: true }>[];
  /** configMap changes a handler's agent rejected; those handlers keep their old config. */
  rejected: Extract<ConfigUpdateResult, { ok: false }>[];
  /** Every other difference (paths in the plan): ignored until the server restarts. */
  needsRestart: string[];
  /** Why the new configuration could not be read or validated; then nothing was applied. */
  errors: string[];
}

/** Finds the handler `target` names: `handler` or `agent/handler`. */
export function locateHandler(plan: ServerPlan, target: string): { agent: AgentPlan; handler: HandlerPlan } | string {
  const slash = target.indexOf("/");
  const agentName = slash >= 0 ? target.slice(0, slash) : undefined;
  const handlerName = slash >= 0 ? target.slice(slash + 1) : target;
  const matches = plan.agents.filter((a) => agentName === undefined || a.name === agentName)
    .flatMap((agent) => agent.handlers.filter((h) => h.name === handlerName).map((handler) => ({ agent, handler })));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) return `handler name "${handlerName}" is ambiguous; name the agent: ${matches.map((m) => `${m.agent.name}/${handlerName}`).join(", ")}`;
  const known = plan.agents.flatMap((a) => a.handlers.map((h) => `${a.name}/${h.name}`));
  return `no handler "${target}" (handlers: ${known.join(", ") || "none"})`;
}

/**
 * @example
 * ```ts
 * const updates = new ConfigUpdates(plan, (name) => agents.get(name), 30_000);
 * await updates.update("pnl", { currency: "EUR" }); // { ok: true, agent: "processor", handler: "pnl", config: {...} }
 * ```
 */
export class ConfigUpdates {
  constructor(private readonly plan: ServerPlan, private readonly agentNamed: (name: string) => AgentEndpoint | undefined, private readonly timeoutMs: number) {}

  /** Merges `patch` into the configMap of the handler `target` names (`null` removes a key) on its agent. */
  async update(target: string, patch: Record<string, unknown>): Promise<ConfigUpdateResult> {
    const found = locateHandler(this.plan, target);
    if (typeof found === "string") return { ok: false, handler: target, error: found };
    const { agent, handler } = found;
    const rejected = (error: string): ConfigUpdateResult => ({ ok: false, agent: agent.name, handler: handler.name, error });
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return rejected(`the update must be a map of configMap keys to values, got ${JSON.stringify(patch)}`);
    const endpoint = this.agentNamed(agent.name);
    if (!endpoint) return rejected(`agent "${agent.name}" is not running`);
    try {
      const reply = await endpoint.request({ op: "updateConfig", handler: handler.name, patch }, this.timeoutMs);
      if (!reply.applied) return rejected(reply.reason);
      handler.config = reply.config;
      return { ok: true, agent: agent.name, handler: handler.name, config: reply.config };
    } catch (thrown) {
      return rejected(describeThrown(thrown).message);
    }
  }

  /** Applies the configMap differences of `next` live; reports every other difference as needing a restart. */
  async reload(next: ServerPlan): Promise<ReloadReport> {
    const { configChanges, needsRestart } = diffPlans(this.plan, next);
    const report: ReloadReport = { applied: [], rejected: [], needsRestart, errors: [] };
    for (const change of configChanges) {
      const current = this.plan.agents.find((a) => a.name === change.agent)!.handlers.find((h) => h.name === change.handler)!.config;
      // The whole new map: keys the file no longer has are removed.
      const patch: Record<string, unknown> = Object.fromEntries(Object.keys(current).filter((key) => !(key in change.config)).map((key) => [key, null]));
      const result = await this.update(`${change.agent}/${change.handler}`, { ...patch, ...change.config });
      if (result.ok) report.applied.push(result);
      else report.rejected.push(result);
    }
    return report;
  }
}
