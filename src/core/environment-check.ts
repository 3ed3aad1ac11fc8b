/**
 * What the host must provide before anything starts. Small and edge hosts may lack SharedArrayBuffer
 * (web hosts without cross-origin isolation) or Workers; without this check the boot would die deep in
 * the supervisor with `ReferenceError: SharedArrayBuffer is not defined` or `Worker is not defined`.
 *
 * @module
 */
import type { ServerPlan } from "../plan/types.ts";
import { BootError } from "./errors.ts";

/**
 * Throws a BootError naming what is missing and what to do, before any agent starts.
 *
 * @example
 * ```ts
 * checkEnvironment(buildPlan(config, { inline: true })); // passes on Bun and Deno, even without Worker
 * ```
 */
export function checkEnvironment(plan: ServerPlan): void {
  // Inline agents need shared memory too: rings, wake signals and counters live in it on every host.
  if (typeof globalThis.SharedArrayBuffer !== "function" || typeof globalThis.Atomics !== "object") {
    throw new BootError(
      "server",
      "environment check",
      "SharedArrayBuffer (with Atomics) is not available in this runtime; the engine keeps its rings, wake signals and " +
        "counters in shared memory, even with inline agents. Run on Bun or Deno, or on a web host serve the page " +
        "cross-origin isolated (Cross-Origin-Opener-Policy: same-origin, Cross-Origin-Embedder-Policy: require-corp)",
    );
  }
  const workerAgents = plan.agents.filter((agent) => agent.mode === "worker").map((agent) => `"${agent.name}"`);
  if (workerAgents.length > 0 && typeof globalThis.Worker !== "function") {
    throw new BootError(
      "server",
      "environment check",
      `Worker is not available in this runtime, and agent${workerAgents.length > 1 ? "s" : ""} ${workerAgents.join(", ")} ` +
        "would run on a Worker thread. Boot with { inline: true } to run every agent on the calling thread, " +
        "or give their handlers in-process (classes or factories) instead of module paths",
    );
  }
}
