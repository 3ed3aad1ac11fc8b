/**
 * Turns a service reference into a service instance: a module path (imported on the agent's own thread)
 * or an in-process class, factory or object. A service has no required method, so any object will do.
 *
 * @module
 */
import type { ServicePlan } from "../plan/types.ts";
import type { Service } from "./service-api.ts";
import { importExport, instantiate, ModuleLoadError } from "../modules/module-loader.ts";

/**
 * Loads and instantiates the service a plan describes; failures are {@link ModuleLoadError}s naming its module.
 *
 * @example
 * ```ts
 * const service = await loadService({ name: "rates", source: { kind: "value", value: RateTable }, config: {}, publishes: [] });
 * ```
 */
export async function loadService(plan: ServicePlan): Promise<Service> {
  const source = plan.source;
  const where = source.kind === "module" ? source.display : "in-process";
  const exported = source.kind === "module" ? await importExport(source) : source.value;
  let instance: unknown;
  try {
    instance = await instantiate(exported);
  } catch (error) {
    throw new ModuleLoadError(where, `constructing the service threw: ${(error as Error).message ?? error}`);
  }
  if (typeof instance !== "object" || instance === null) {
    throw new ModuleLoadError(where, `the export is not a service: it gave ${instance === null ? "null" : `a ${typeof instance}`} (expected a class, a factory or an object)`);
  }
  return instance as Service;
}
