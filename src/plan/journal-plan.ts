/**
 * Which handlers a journal records.
 *
 * @module
 */
import type { JournalPlan } from "./types.ts";

/**
 * Whether `plan` journals the handler `handler`.
 *
 * @example
 * ```ts
 * isJournaled({ dir: "/j", handlers: ["pnl"], rollBytes: 1 << 26, retainFiles: 10 }, "pnl"); // true
 * ```
 */
export function isJournaled(plan: JournalPlan, handler: string): boolean {
  return plan.handlers === "all" || plan.handlers.includes(handler);
}
