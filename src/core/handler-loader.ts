/**
 * Turns a handler reference into a handler instance: a module path (imported on the agent's own thread)
 * or an in-process class, factory or object. Every failure names the handler, the file and the cause.
 *
 * @module
 */
import type { HandlerPlan } from "../plan/types.ts";
import type { Handler } from "./handler-api.ts";
import { importExport, instantiate, isClass, ModuleLoadError } from "../modules/module-loader.ts";

/** A handler that could not be loaded or built. */
export class HandlerLoadError extends Error {
  constructor(readonly handler: string, readonly where: string, readonly reason: string) {
    super(`handler "${handler}" (${where}): ${reason}`);
    this.name = "HandlerLoadError";
  }
}

/**
 * Loads and instantiates the handler a plan describes.
 *
 * @example
 * ```ts
 * const handler = await loadHandler({ name: "pnl", source: { kind: "module", url, exportName: "default", display: "./pnl.ts" }, config: {} });
 * ```
 */
export async function loadHandler(plan: HandlerPlan): Promise<Handler> {
  const source = plan.source;
  const where = source.kind === "module" ? source.display : "in-process";
  let exported: unknown;
  try {
    exported = source.kind === "module" ? await importExport(source) : source.value;
  } catch (error) {
    if (error instanceof ModuleLoadError) throw new HandlerLoadError(plan.name, where, error.reason);
    throw error;
  }
  let instance: unknown;
  try {
    instance = await instantiate(exported);
  } catch (error) {
    throw new HandlerLoadError(plan.name, where, `constructing the handler threw: ${(error as Error).message ?? error}`);
  }
  if (typeof instance !== "object" || instance === null || typeof (instance as Handler).onEvent !== "function") {
    throw new HandlerLoadError(plan.name, where, `the export is not a handler: ${describeExport(exported, instance)} has no onEvent method (expected a class, a factory or an object with onEvent)`);
  }
  return instance as Handler;
}

/** What the export turned out to be, for the error message. */
function describeExport(exported: unknown, instance: unknown): string {
  if (isClass(exported)) return `an instance of class ${exported.name || "(anonymous)"}`;
  if (typeof exported === "function") return `the value returned by factory ${exported.name || "(anonymous)"} (${instance === null ? "null" : typeof instance})`;
  return exported === null ? "null" : `the exported ${typeof exported}`;
}
