/**
 * Pins the calling thread to one CPU through libc (Linux), or says why it could not, so an agent still
 * runs (unpinned) instead of failing: on macOS and Windows (no `sched_setaffinity`) it reports unsupported.
 *
 * @module
 */
import process from "node:process";
import type { Libc } from "../runtime/types.ts";
import { CPU_MASK_BYTES } from "./cpu-mask.ts";

/**
 * Formats CPUs as the kernel's `Cpus_allowed_list` does.
 *
 * @example
 * ```ts
 * cpuList([0, 1, 2, 3, 6]); // "0-3,6"
 * ```
 */
export function cpuList(cpus: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < cpus.length; i++) {
    const first = cpus[i];
    while (cpus[i + 1] === cpus[i] + 1) i++;
    ranges.push(first === cpus[i] ? `${first}` : `${first}-${cpus[i]}`);
  }
  return ranges.join(",");
}

/**
 * Pins the calling thread to `coreId`; says why not instead of throwing, so the agent still runs (unpinned).
 * `platform` is `process.platform`: only Linux has the `sched_setaffinity` this uses.
 *
 * @example
 * ```ts
 * const pinning = pinThread(await runtime.loadLibc(), 1);
 * if ("core" in pinning) log.info(`pinned to CPU ${pinning.core} (tid ${pinning.tid})`);
 * ```
 */
export function pinThread(libc: Libc | null, coreId: number, platform: string = process.platform): { core: number; tid: number } | { why: string } {
  if (platform !== "linux") return { why: `CPU pinning is unsupported on ${platform} (it needs Linux's sched_setaffinity)` };
  if (!libc) return { why: "CPU pinning needs libc.so.6 through FFI, which is unavailable here (Deno needs --allow-ffi; musl has no libc.so.6)" };
  const allowed = libc.getAffinity();
  // A cpu_set_t holds 1024 CPUs (cpuMask throws beyond): such a CPU fails like any this machine lacks.
  if (coreId < CPU_MASK_BYTES * 8 && libc.setAffinity([coreId]) === 0) return { core: coreId, tid: libc.gettid() };
  const why = "sched_setaffinity failed";
  // Name the usual cause: a CPU this machine (or its cpuset) does not offer.
  return { why: allowed.length > 0 && !allowed.includes(coreId) ? `${why}: CPU ${coreId} is not one this process may use (${cpuList(allowed)})` : why };
}
