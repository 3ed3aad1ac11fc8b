/**
 * The tuning overlay file: what `tuning.persist` writes (the settings tuned away from the configuration,
 * see plan/tuning.ts) and a boot applies on top of the configuration. It is YAML, checked as strictly as
 * the configuration, and by default sits next to it: `app.yaml` → `app.tuning.yaml`.
 *
 * ```yaml
 * agents:
 *   processor: { idleStrategy: blocking, batchSize: 16 }
 * subscriptions:
 *   prices: { processor: dropNewest }   # feed → consuming agent → onFull
 * feeds:
 *   trades: { paused: true }
 * handlers:
 *   processor/audit: { paused: hold }   # hold | drop
 * ```
 *
 * @module
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import * as v from "valibot";
import type { IdleStrategySpec } from "../agent/idle-strategy.ts";
import { HANDLER_PAUSE_POLICIES, type TuningOverlay } from "../plan/tuning.ts";
import { FULL_RING_POLICIES } from "../transport/full-ring-policy.ts";
import { ConfigError } from "./config-error.ts";
import { issueProblem, toIdleSpec } from "./plan.ts";
import { formatProblems } from "./problems.ts";
import { idleStrategySchema } from "./schema.ts";
import { parseYamlConfig } from "./yaml-loader.ts";

const batchSize = v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1, "must be ≥ 1"));

const overlaySchema = v.strictObject({
  agents: v.optional(v.record(v.string(), v.strictObject({ idleStrategy: v.optional(idleStrategySchema), batchSize: v.optional(batchSize) }))),
  subscriptions: v.optional(v.record(v.string(), v.record(v.string(), v.picklist(FULL_RING_POLICIES, `expected one of ${FULL_RING_POLICIES.join(", ")}`)))),
  feeds: v.optional(v.record(v.string(), v.strictObject({ paused: v.literal(true, "expected true") }))),
  handlers: v.optional(v.record(v.string(), v.strictObject({ paused: v.picklist(HANDLER_PAUSE_POLICIES, `expected one of ${HANDLER_PAUSE_POLICIES.join(", ")}`) }))),
});

/**
 * The overlay file that goes with the configuration file `configFile`.
 *
 * @example
 * ```ts
 * overlayPathFor("config/app.yaml"); // "config/app.tuning.yaml"
 * ```
 */
export function overlayPathFor(configFile: string): string {
  return `${configFile.replace(/\.ya?ml$/, "")}.tuning.yaml`;
}

/**
 * `value` as an idle strategy spec: a name or `{type, …}`, checked like `idleStrategy` in the
 * configuration. Throws ConfigError naming what is wrong.
 *
 * @example
 * ```ts
 * parseIdleStrategy("blocking"); // { type: "blocking" }
 * parseIdleStrategy({ type: "sleeping", sleepNanos: 100_000 });
 * ```
 */
export function parseIdleStrategy(value: unknown): IdleStrategySpec {
  const result = v.safeParse(idleStrategySchema, value, { abortEarly: false });
  if (!result.success) throw new ConfigError(formatProblems(result.issues.map(issueProblem)).map((problem) => problem.replace(/^: /, "")));
  return toIdleSpec(result.output);
}

/**
 * Reads the overlay file at `path`; undefined when there is none. Throws ConfigError (located) when it is
 * not a valid overlay.
 *
 * @example
 * ```ts
 * const overlay = readTuningOverlay("config/app.tuning.yaml"); // undefined: no file, nothing tuned
 * ```
 */
export function readTuningOverlay(path: string): TuningOverlay | undefined {
  if (!existsSync(path)) return undefined;
  const loaded = parseYamlConfig(readFileSync(path, "utf8"), path, ".");
  const result = v.safeParse(overlaySchema, loaded.config ?? {}, { abortEarly: false });
  if (!result.success) throw new ConfigError(formatProblems(result.issues.map(issueProblem), loaded.locate));
  const overlay = result.output;
  for (const settings of Object.values(overlay.agents ?? {})) {
    if (settings.idleStrategy !== undefined) settings.idleStrategy = toIdleSpec(settings.idleStrategy) as never;
  }
  return overlay as TuningOverlay;
}

/**
 * Writes `overlay` to `path` (YAML, with a header saying where it comes from); an empty overlay removes
 * the file, so the next boot runs the configuration as written.
 *
 * @example
 * ```ts
 * writeTuningOverlay("config/app.tuning.yaml", server.tuning());
 * ```
 */
export function writeTuningOverlay(path: string, overlay: TuningOverlay): void {
  if (Object.keys(overlay).length === 0) {
    rmSync(path, { force: true });
    return;
  }
  const header = "# Runtime tuning written by `mongoose admin tuning.persist`; applied over the configuration at boot.\n";
  writeFileSync(path, header + stringify(overlay));
}
