/**
 * The process's memory, CPU time and uptime, plus the figures each runtime really exposes and no more
 * (none is estimated):
 *
 * - both, through `node:process`: RSS, heap used and total, external memory, uptime, CPU seconds;
 * - Bun: memory held by ArrayBuffers (Deno's `process.memoryUsage()` always says 0 there, so it is left
 *   out), and its allocator's (mimalloc) peak and committed bytes from `bun:jsc` `memoryUsage()`. Bun's
 *   `heapStats()` walks the whole heap (tens of ms on a busy server), so it is not read per scrape;
 * - Deno: V8's heap limit, bytes allocated since start, malloced memory and detached contexts from
 *   `node:v8` `getHeapStatistics()` (Bun answers that call with JavaScriptCore figures relabelled).
 *
 * Neither runtime reports garbage-collection pauses: Deno's `PerformanceObserver` receives no `gc`
 * entries and Bun has no GC events, so there is no GC pause metric.
 *
 * @module
 */
import process from "node:process";
import { getHeapStatistics } from "node:v8";
import { processMemory } from "../process-memory.ts";
import type { MetricCollector, MetricFamily } from "./metric-family.ts";

/** What `bun:jsc` `memoryUsage()` returns (bytes, from mimalloc). */
interface BunAllocatorUsage {
  peak: number;
  currentCommit: number;
}
type BunJsc = { memoryUsage(): BunAllocatorUsage };

const ON_BUN = "Bun" in globalThis;
const ON_DENO = "Deno" in globalThis;
// A variable specifier: deno check cannot resolve `bun:` modules, and Deno never loads this one.
const BUN_JSC = "bun:jsc";
let bunJsc: Promise<BunJsc> | undefined;

const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: "gauge", samples: [{ labels: {}, value }] });

/** The families both runtimes can fill. */
function commonFamilies(): MetricFamily[] {
  const memory = processMemory();
  const cpu = process.cpuUsage();
  return [
    gauge("mongoose_process_resident_memory_bytes", "Resident set size of the process.", memory.rssBytes),
    gauge("mongoose_process_heap_used_bytes", "JavaScript heap in use on the main thread's engine (V8 or JavaScriptCore).", memory.heapUsedBytes),
    gauge("mongoose_process_heap_total_bytes", "JavaScript heap reserved by the engine.", memory.heapTotalBytes),
    gauge("mongoose_process_external_memory_bytes", "Memory held outside the JavaScript heap by objects it references.", memory.externalBytes),
    gauge("mongoose_process_uptime_seconds", "Seconds since the process started.", process.uptime()),
    {
      name: "mongoose_process_cpu_seconds_total",
      help: "CPU time the process used (every thread), by mode.",
      type: "counter",
      samples: [{ labels: { mode: "user" }, value: cpu.user / 1e6 }, { labels: { mode: "system" }, value: cpu.system / 1e6 }],
    },
  ];
}

async function bunFamilies(): Promise<MetricFamily[]> {
  bunJsc ??= import(BUN_JSC) as Promise<BunJsc>;
  const allocator = (await bunJsc).memoryUsage();
  return [
    gauge("mongoose_process_array_buffers_bytes", "Memory held by ArrayBuffers and SharedArrayBuffers (rings and counters included); Bun only.", process.memoryUsage().arrayBuffers),
    gauge("mongoose_bun_allocator_peak_bytes", "Peak memory of Bun's allocator (mimalloc) since start, from bun:jsc memoryUsage().", allocator.peak),
    gauge("mongoose_bun_allocator_committed_bytes", "Memory Bun's allocator (mimalloc) has committed now, from bun:jsc memoryUsage().", allocator.currentCommit),
  ];
}

function denoFamilies(): MetricFamily[] {
  const heap = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { total_allocated_bytes?: number };
  const families = [
    gauge("mongoose_v8_heap_size_limit_bytes", "Largest the main thread's V8 heap may grow; Deno only.", heap.heap_size_limit),
    gauge("mongoose_v8_malloced_memory_bytes", "Memory V8 allocated with malloc on the main thread; Deno only.", heap.malloced_memory),
    gauge("mongoose_v8_detached_contexts", "V8 contexts detached but not yet collected (a growing number suggests a leak); Deno only.", heap.number_of_detached_contexts),
  ];
  if (heap.total_allocated_bytes === undefined) return families;
  return [...families, {
    name: "mongoose_v8_allocated_bytes_total",
    help: "Bytes the main thread's V8 heap allocated since start; Deno only.",
    type: "counter",
    samples: [{ labels: {}, value: heap.total_allocated_bytes }],
  }];
}

/**
 * Reads the process figures now.
 *
 * @example
 * ```ts
 * const families = await processMetrics(server);
 * families.find((f) => f.name === "mongoose_process_resident_memory_bytes")?.samples[0].value; // e.g. 61_440_000
 * ```
 */
export const processMetrics: MetricCollector = async () => [
  ...commonFamilies(),
  ...(ON_BUN ? await bunFamilies() : []),
  ...(ON_DENO ? denoFamilies() : []),
];
