/**
 * Loads user code named in the configuration (handlers, value mappers, feed and sink plugins): imports the
 * module on the calling thread, picks the export, and builds an instance from a class (no-argument
 * constructor), a factory function, or takes an object as it is. Failures say which file and why.
 *
 * @module
 */
import type { ModuleSource } from "../config/plan.ts";

/** A module that could not be loaded, or whose export is missing. */
export class ModuleLoadError extends Error {
  constructor(readonly where: string, readonly reason: string) {
    super(`${where}: ${reason}`);
    this.name = "ModuleLoadError";
  }
}

/** True for `class …` (as opposed to a plain or arrow function). */
export function isClass(value: unknown): value is new () => unknown {
  return typeof value === "function" && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/**
 * Imports `source` and returns the named export.
 *
 * @example
 * ```ts
 * const exported = await importExport({ url: "file:///app/pnl.ts", exportName: "default", display: "./pnl.ts" });
 * ```
 */
export async function importExport(source: ModuleSource): Promise<unknown> {
  let module: Record<string, unknown>;
  try {
    module = await import(source.url);
  } catch (error) {
    throw new ModuleLoadError(source.display, `cannot load module: ${(error as Error).message ?? error}`);
  }
  if (!(source.exportName in module)) {
    const names = Object.keys(module).join(", ") || "none";
    throw new ModuleLoadError(source.display, `the module has no export "${source.exportName}" (its exports: ${names})`);
  }
  return module[source.exportName];
}

/** An instance from a class (constructed with no arguments), a factory (called, awaited) or an object. */
export async function instantiate(exported: unknown): Promise<unknown> {
  if (isClass(exported)) return new exported();
  if (typeof exported === "function") return await (exported as () => unknown)();
  return exported;
}
