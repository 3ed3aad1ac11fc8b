/**
 * Loads user code named in the configuration (handlers, value mappers, feed and sink plugins): imports the
 * module on the calling thread, picks the export, and builds an instance from a class (no-argument
 * constructor), a factory function, or takes an object as it is. Failures say which file and why.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ModuleSource } from "../plan/types.ts";

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
    throw new ModuleLoadError(source.display, importFailure(source.url, error));
  }
  if (!(source.exportName in module)) {
    const names = Object.keys(module).join(", ") || "none";
    throw new ModuleLoadError(source.display, `the module has no export "${source.exportName}" (its exports: ${names})`);
  }
  return module[source.exportName];
}

/**
 * Why an import failed, in the same words on Bun and Deno: the file is missing, it does not parse (with
 * the position), or evaluating it threw.
 */
function importFailure(url: string, error: unknown): string {
  const path = url.startsWith("file:") ? fileURLToPath(url) : url;
  if (url.startsWith("file:") && !existsSync(path)) return `file not found: ${path}`;
  const message = String((error as Error)?.message ?? error);
  // Bun reports parse errors as a BuildMessage with a position; Deno as a SyntaxError whose message ends with the position.
  const position = (error as { position?: { file: string; line: number; column: number } })?.position;
  if (position) return `syntax error at ${position.file}:${position.line}:${position.column}: ${message}`;
  const denoSyntax = /^SyntaxError: ([^\n]*)[\s\S]*\bat (file:\/\/\S+?):(\d+):(\d+)\s*$/.exec(message);
  if (denoSyntax) return `syntax error at ${fileURLToPath(denoSyntax[2])}:${denoSyntax[3]}:${denoSyntax[4]}: ${denoSyntax[1]}`;
  return `loading the module threw: ${message.split("\n")[0]}`;
}

/**
 * Checks, without constructing anything, that `source` exports a `kind` (e.g. "handler" with method
 * "onEvent"): a class whose instances have the method, or an object that has it. A function that is not
 * a class is accepted as it is: it is a factory (or a mapper function), and what a factory builds is
 * known only when it runs. Throws {@link ModuleLoadError}. Used to validate before anything starts, so
 * user constructors do not run an extra time.
 *
 * @example
 * ```ts
 * await checkExport({ url: "file:///app/pnl.ts", exportName: "default", display: "./pnl.ts" }, "handler", "onEvent");
 * ```
 */
export async function checkExport(source: ModuleSource, kind: string, method?: string): Promise<void> {
  const exported = await importExport(source);
  const hasMethod = (target: unknown) => method === undefined || typeof (target as Record<string, unknown> | undefined)?.[method] === "function";
  const expected = `expected a class, a factory or an object${method ? ` with ${method}` : ""}`;
  if (isClass(exported)) {
    if (hasMethod(exported.prototype)) return;
    throw new ModuleLoadError(source.display, `the export is not a ${kind}: class ${exported.name || "(anonymous)"} has no ${method} method (${expected})`);
  }
  if (typeof exported === "function") return;
  if (typeof exported === "object" && exported !== null && hasMethod(exported)) return;
  const found = exported === null ? "null" : typeof exported === "object" ? `an object without ${method}` : `a ${typeof exported}`;
  throw new ModuleLoadError(source.display, `the export is not a ${kind}: it is ${found} (${expected})`);
}

/** An instance from a class (constructed with no arguments), a factory (called, awaited) or an object. */
export async function instantiate(exported: unknown): Promise<unknown> {
  if (isClass(exported)) return new exported();
  if (typeof exported === "function") return await (exported as () => unknown)();
  return exported;
}
