/**
 * A live change of one handler's `configMap`, applied on its own agent between events: merge the patch,
 * check the keys the handler requires, install the new config and call `onConfigChange`; an applied update
 * is journaled (whole new config) if the handler is. Any failure
 * leaves the old config in place and says why.
 *
 * @module
 */
import type { ConfigUpdateReply } from "../protocol.ts";
import type { HostedHandler } from "./hosted-handler.ts";

/** `config` with `patch` merged in, JSON-merge-patch style: a `null` value removes its key. */
export function mergeConfigPatch(config: Readonly<Record<string, unknown>>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

/**
 * @example
 * ```ts
 * applyConfigUpdate(hosted, { threshold: 10 }); // { applied: true, config: { currency: "USD", threshold: 10 } }
 * applyConfigUpdate(hosted, { currency: null }); // { applied: false, reason: 'required config key "currency" is missing from its configMap' }
 * ```
 */
export function applyConfigUpdate(handler: HostedHandler, patch: unknown): ConfigUpdateReply {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    return { applied: false, reason: `the update must be a map of configMap keys to values, got ${Array.isArray(patch) ? "a list" : JSON.stringify(patch)}` };
  }
  const state = handler.lifecycle.state;
  if (state !== "started" && state !== "completed") return { applied: false, reason: `handler "${handler.name}" is ${state}, not running` };
  const context = handler.context;
  const next = mergeConfigPatch(context.config, patch as Record<string, unknown>);
  const broken = context.required.check(next);
  if (broken) return { applied: false, reason: broken };
  const old = context.replaceConfig(next);
  // A journaled handler reads, during onConfigChange, the time its config record says.
  const journal = handler.journal;
  journal?.clock.hold();
  try {
    try {
      handler.instance.onConfigChange?.(context.config);
    } catch (thrown) {
      context.replaceConfig(old);
      return { applied: false, reason: `onConfigChange rejected it: ${thrown instanceof Error ? thrown.message : String(thrown)}` };
    }
    journal?.config(context.config);
  } finally {
    journal?.clock.release();
  }
  return { applied: true, config: { ...context.config } };
}
