/**
 * Deno adapter: workers, libc through `Deno.dlopen` (needs `--allow-ffi`), HTTP through `Deno.serve`.
 *
 * @module
 */
import type { HttpServer, Libc, Runtime } from "./types.ts";
import process from "node:process";
import type * as WorkerThreads from "node:worker_threads";
import { wrapNodeWorker, wrapWebWorker } from "./worker-handle.ts";
import { cpuMask, cpusOfMask, CPU_MASK_BYTES } from "../pinning/cpu-mask.ts";

// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;

function loadLibc(): Promise<Libc | null> {
  try {
    const { symbols } = Deno.dlopen("libc.so.6", {
      gettid: { parameters: [], result: "i32" },
      sched_yield: { parameters: [], result: "i32" },
      sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
      sched_getaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
    });
    const size = BigInt(CPU_MASK_BYTES);
    const libc: Libc = {
      gettid: () => symbols.gettid(),
      schedYield: () => void symbols.sched_yield(),
      setAffinity: (cpus) => symbols.sched_setaffinity(0, size, cpuMask(cpus)),
      getAffinity: () => {
        const mask = new Uint8Array(CPU_MASK_BYTES);
        return symbols.sched_getaffinity(0, size, mask) === 0 ? cpusOfMask(mask) : [];
      },
    };
    return Promise.resolve(libc);
  } catch {
    return Promise.resolve(null);
  }
}

/** The Deno runtime adapter. */
export const denoRuntime: Runtime = {
  name: "deno",
  version: Deno?.version?.deno ?? "unknown",
  // Deno's Web Worker ignores `resourceLimits` and `--v8-flags=--max-old-space-size` bounds every thread and
  // aborts the whole process; a node:worker_threads worker gets its own V8 heap limit and dies alone.
  boundsWorkerHeap: true,
  spawnWorker(url, name, limits) {
    if (limits?.maxHeapMb === undefined) return wrapWebWorker(new Worker(url, { type: "module", name }));
    // Loaded on first use: importing node:worker_threads costs every thread (agents too) ~4–11 ms at start.
    const { Worker: NodeWorker } = process.getBuiltinModule("node:worker_threads") as typeof WorkerThreads;
    const worker = new NodeWorker(new URL(url), { name, resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb } });
    return wrapNodeWorker(worker, limits.maxHeapMb);
  },
  loadLibc,
  collectGarbage() {
    // deno-lint-ignore no-explicit-any
    const gc = (globalThis as any).gc;
    if (typeof gc !== "function") return false;
    gc();
    return true;
  },
  serve(handler, options) {
    return new Promise((resolve) => {
      const server = Deno.serve(
        {
          hostname: options.hostname,
          port: options.port,
          ...options.tls,
          onListen: ({ port }: { port: number }) => {
            const http: HttpServer = { port, close: async () => void (await server.shutdown()) };
            resolve(http);
          },
        },
        (request: Request, info: { remoteAddr: { hostname?: string } }) => handler(request, { address: info.remoteAddr.hostname }),
      );
    });
  },
};
