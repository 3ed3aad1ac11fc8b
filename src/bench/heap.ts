/**
 * Heap measurement for the benchmarks: the calling thread's used heap after a full collection (where
 * the runtime allows one), so growth means retained memory, not garbage awaiting collection.
 *
 * @module
 */
import process from "node:process";
import { runtime } from "../runtime/mod.ts";

/**
 * Used heap bytes of this thread, collected first if possible; `collected` says whether it was.
 *
 * @example
 * ```ts
 * const before = settledHeap();
 * // … work …
 * const growth = settledHeap().bytes - before.bytes;
 * ```
 */
export function settledHeap(): { bytes: number; collected: boolean } {
  const collected = runtime.collectGarbage();
  return { bytes: process.memoryUsage().heapUsed, collected };
}
