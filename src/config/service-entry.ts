/**
 * Checks one service entry given at runtime (`server.addService`) exactly as the `services` section of a
 * configuration is checked, and returns its plan.
 *
 * @module
 */
import type { ServicePlan } from "../plan/types.ts";
import { validateConfig } from "./plan.ts";
import type { ServiceConfig } from "./schema.ts";
import { servicePlan } from "./service-plans.ts";

/**
 * Returns the plan of `entry`, or throws ConfigError naming each problem (`services[0].<key>: …`).
 *
 * @example
 * ```ts
 * const plan = parseService({ name: "rates", handler: "./rates.ts" }, process.cwd());
 * ```
 */
export function parseService(entry: ServiceConfig, baseDir: string): ServicePlan {
  return servicePlan(validateConfig({ services: [entry] }).services[0], baseDir);
}
