/**
 * Durations typed on the command line: a number with a unit (`ns`, `us` or `µs`, `ms`, `s`), e.g.
 * `500us`, `2ms`, `1.5s`.
 *
 * @module
 */
import { UsageError } from "./usage.ts";

const MILLIS_PER_UNIT: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000 };

/**
 * Milliseconds in `text`; throws UsageError naming `option` when it is not a non-negative number with a unit.
 *
 * @example
 * ```ts
 * parseDuration("500us", "--p99-max"); // 0.5
 * parseDuration("2s", "--timeout");    // 2000
 * ```
 */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s)$/.exec(text.trim());
  if (!match) throw new UsageError(`${option} must be a duration with a unit (ns, us, ms or s), e.g. 500us or 2ms; got "${text}"`);
  return Number(match[1]) * MILLIS_PER_UNIT[match[2]];
}
