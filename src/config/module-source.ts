/**
 * Where a module reference in the configuration points: `./file.ts#Export` relative to the configuration's
 * folder, an absolute path or a URL.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ModuleSource } from "../plan/types.ts";

/**
 * Resolves `./file.ts#Export` (relative to `baseDir`), an absolute path or a URL.
 *
 * @example
 * ```ts
 * moduleSource("./pnl.ts#Pnl", "/srv/app"); // { url: "file:///srv/app/pnl.ts", exportName: "Pnl", display: "./pnl.ts" }
 * ```
 */
export function moduleSource(reference: string, baseDir: string): ModuleSource {
  const hash = reference.lastIndexOf("#");
  const path = hash > 0 ? reference.slice(0, hash) : reference;
  const exportName = hash > 0 ? reference.slice(hash + 1) : "default";
  const url = /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)
    ? path
    : pathToFileURL(isAbsolute(path) ? path : resolve(baseDir, path)).href;
  return { url, exportName, display: path };
}
