/**
 * The supervision keys of `agentThreads[]`: whether a worker agent that dies is restarted, how often, and
 * how long to wait between attempts. `restart: never` (the default) keeps a dead agent dead.
 *
 * @module
 */
import * as v from "valibot";
import type { RestartPolicy } from "../plan/types.ts";
import type { ConfigProblem } from "./problems.ts";
import { oneOf, positiveInteger } from "./schema-parts.ts";

const milliseconds = v.pipe(v.number(), v.integer("must be an integer"), v.minValue(0, "must be ≥ 0"));

/** Defaults of the restart policy when `restart: always` leaves a key out. */
export const RESTART_DEFAULTS = { maxRestarts: 5, restartWindowMs: 60_000, restartBackoffMs: 100, restartBackoffMaxMs: 10_000 } as const;

/** Keys spread into the `agentThreads[]` schema. */
export const restartKeys = {
  /** `always`: a dead worker agent is restarted (within `maxRestarts` per `restartWindowMs`); `never` (default): it stays dead. */
  restart: v.optional(oneOf(["always", "never"] as const)),
  maxRestarts: v.optional(positiveInteger),
  restartWindowMs: v.optional(positiveInteger),
  restartBackoffMs: v.optional(milliseconds),
  restartBackoffMaxMs: v.optional(milliseconds),
};

type RestartSettings = { [K in keyof typeof restartKeys]?: v.InferOutput<(typeof restartKeys)[K]> };

/**
 * The restart policy of one `agentThreads[]` entry, or undefined for `restart: never`; settings that
 * cannot apply are added to `problems` with their path.
 *
 * @example
 * ```ts
 * restartPolicyOf({ restart: "always", maxRestarts: 3 }, 0, problems);
 * // { maxRestarts: 3, windowMs: 60000, backoffMs: 100, backoffMaxMs: 10000 }
 * ```
 */
export function restartPolicyOf(thread: RestartSettings, index: number, problems: ConfigProblem[]): RestartPolicy | undefined {
  const path = (key: string) => ["agentThreads", index, key];
  if (thread.restart !== "always") {
    for (const key of ["maxRestarts", "restartWindowMs", "restartBackoffMs", "restartBackoffMaxMs"] as const) {
      if (thread[key] !== undefined) problems.push({ path: path(key), message: `applies only with restart: always (this agent has restart: ${thread.restart ?? "never"}, the default)` });
    }
    return undefined;
  }
  const policy: RestartPolicy = {
    maxRestarts: thread.maxRestarts ?? RESTART_DEFAULTS.maxRestarts,
    windowMs: thread.restartWindowMs ?? RESTART_DEFAULTS.restartWindowMs,
    backoffMs: thread.restartBackoffMs ?? RESTART_DEFAULTS.restartBackoffMs,
    backoffMaxMs: thread.restartBackoffMaxMs ?? Math.max(RESTART_DEFAULTS.restartBackoffMaxMs, thread.restartBackoffMs ?? 0),
  };
  if (policy.backoffMaxMs < policy.backoffMs) {
    problems.push({ path: path("restartBackoffMaxMs"), message: `must be ≥ restartBackoffMs (${policy.backoffMs})` });
  }
  return policy;
}
