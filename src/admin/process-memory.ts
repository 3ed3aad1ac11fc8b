/**
 * The process's memory as both runtimes report it through `node:process` (Bun and Deno both implement
 * `process.memoryUsage()`): resident set, V8/JSC heap and memory held outside the heap.
 *
 * @module
 */
import process from "node:process";

/** Bytes, as `process.memoryUsage()` gives them. */
export interface ProcessMemory {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
}

/**
 * Reads the process's memory now.
 *
 * @example
 * ```ts
 * processMemory().rssBytes; // e.g. 61_440_000
 * ```
 */
export function processMemory(): ProcessMemory {
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, heapTotalBytes: usage.heapTotal, externalBytes: usage.external };
}
