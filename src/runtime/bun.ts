/**
 * Bun adapter: workers, libc through `bun:ffi`, HTTP through `Bun.serve`.
 *
 * @module
 */
import type { HttpServer, Libc, Runtime } from "./types.ts";
import { wrapWebWorker } from "./worker-handle.ts";
import { cpuMask, cpusOfMask, CPU_MASK_BYTES } from "../pinning/cpu-mask.ts";

// deno check rejects a bare `Bun` global, so reach it through globalThis.
// deno-lint-ignore no-explicit-any
const Bun = (globalThis as any).Bun;

async function loadLibc(): Promise<Libc | null> {
  try {
    // A variable specifier keeps bundlers and Deno's type checker away from the Bun-only module.
    const specifier = "bun:ffi";
    const ffi = await import(specifier);
    const { symbols } = ffi.dlopen("libc.so.6", {
      gettid: { args: [], returns: ffi.FFIType.i32 },
      sched_yield: { args: [], returns: ffi.FFIType.i32 },
      sched_setaffinity: { args: [ffi.FFIType.i32, ffi.FFIType.u64, ffi.FFIType.ptr], returns: ffi.FFIType.i32 },
      sched_getaffinity: { args: [ffi.FFIType.i32, ffi.FFIType.u64, ffi.FFIType.ptr], returns: ffi.FFIType.i32 },
    });
    return {
      gettid: () => symbols.gettid(),
      schedYield: () => void symbols.sched_yield(),
      setAffinity: (cpus) => symbols.sched_setaffinity(0, CPU_MASK_BYTES, ffi.ptr(cpuMask(cpus))),
      getAffinity: () => {
        const mask = new Uint8Array(CPU_MASK_BYTES);
        return symbols.sched_getaffinity(0, CPU_MASK_BYTES, ffi.ptr(mask)) === 0 ? cpusOfMask(mask) : [];
      },
    };
  } catch {
    return null;
  }
}

/** The Bun runtime adapter. */
export const bunRuntime: Runtime = {
  name: "bun",
  version: Bun?.version ?? "unknown",
  // JavaScriptCore has no per-worker heap limit: `resourceLimits` (Web or node:worker_threads Worker) and
  // BUN_JSC_gcMaxHeapSize were tried on Bun 1.4.5 and a runaway worker still grows until the process aborts.
  boundsWorkerHeap: false,
  spawnWorker: (url, name) => wrapWebWorker(new Worker(url, { type: "module", name })),
  loadLibc,
  collectGarbage() {
    Bun.gc(true);
    return true;
  },
  serve(handler, options) {
    const server = Bun.serve({ hostname: options.hostname, port: options.port, fetch: (request: Request, server: { requestIP(request: Request): { address: string } | null }) => handler(request, { address: server.requestIP(request)?.address }), ...(options.tls && { tls: options.tls }) });
    const http: HttpServer = { port: server.port, close: async () => void (await server.stop(true)) };
    return Promise.resolve(http);
  },
};
