/**
 * Turns a handler reference into a handler instance: a module path (imported on the agent's own thread)
 * or an in-process class, factory or object. Every failure names the handler, the file and the cause.
 *
 * @module
 */
import type { HandlerPlan } from "../config/plan.ts";
import type { Handler } from "./handler-api.ts";

/** A handler that could not be loaded or built. */
export class HandlerLoadError extends Error {
  constructor(readonly handler: string, readonly where: string, readonly reason: string) {
    super(`handler "${handler}" (${where}): ${reason}`);
    this.name = "HandlerLoadError";
  }
}

function isClass(value: (...args: unknown[]) => unknown): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/** Builds an instance from a class (no-argument constructor), a factory function, or an object. */
async function instantiate(exported: unknown): Promise<unknown> {
  if (typeof exported !== "function") return exported;
  const make = exported as (...args: unknown[]) => unknown;
  if (isClass(make)) return new (make as unknown as new () => unknown)();
  return await make();
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
  let exported: unknown;
  let where = "in-process";
  if (source.kind === "module") {
    where = source.display;
    let module: Record<string, unknown>;
    try {
      module = await import(source.url);
    } catch (error) {
      throw new HandlerLoadError(plan.name, where, `cannot load module: ${(error as Error).message ?? error}`);
    }
    if (!(source.exportName in module)) {
      const names = Object.keys(module).join(", ") || "none";
      throw new HandlerLoadError(plan.name, where, `the module has no export "${source.exportName}" (its exports: ${names})`);
    }
    exported = module[source.exportName];
  } else {
    exported = source.value;
  }
  let instance: unknown;
  try {
    instance = await instantiate(exported);
  } catch (error) {
    throw new HandlerLoadError(plan.name, where, `constructing the handler threw: ${(error as Error).message ?? error}`);
  }
  if (typeof instance !== "object" || instance === null || typeof (instance as Handler).onEvent !== "function") {
    throw new HandlerLoadError(plan.name, where, "the export is not a handler: expected a class, a factory or an object with an onEvent method");
  }
  return instance as Handler;
}
