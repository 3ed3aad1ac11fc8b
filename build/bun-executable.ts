/**
 * The Bun that builds: the one running this script, else the project's own (`node_modules/.bin/bun`), so
 * the build also works when started from Deno.
 *
 * @module
 */
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The project root (the folder holding `build.ts`). */
export const ROOT: string = fileURLToPath(new URL("../", import.meta.url));

/**
 * Path of a Bun executable.
 *
 * @example
 * ```ts
 * spawnSync(bunExecutable(), ["--version"]);
 * ```
 */
export function bunExecutable(): string {
  return "Bun" in globalThis ? process.execPath : join(ROOT, "node_modules/.bin/bun");
}
