/**
 * Picks the adapter for the runtime this code runs on.
 *
 * @example
 * ```ts
 * import { runtime } from "./runtime/mod.ts";
 * console.log(runtime.name, runtime.version);
 * ```
 *
 * @module
 */
import type { Runtime } from "./types.ts";
import { bunRuntime } from "./bun.ts";
import { denoRuntime } from "./deno.ts";

export type { HttpServer, Libc, Runtime, ServeOptions, WorkerHandle, WorkerLimits } from "./types.ts";

function detect(): Runtime {
  if ("Bun" in globalThis) return bunRuntime;
  if ("Deno" in globalThis) return denoRuntime;
  throw new Error("mongoose-server needs Bun or Deno (Node is not supported yet)");
}

/** The adapter for the current runtime. */
export const runtime: Runtime = detect();
