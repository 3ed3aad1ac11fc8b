/**
 * The CPU time of the calling thread, for `agent_cpu_seconds_total`: how much a worker agent's idle
 * strategy costs (a spinning agent's grows by a second every second, a parked one's barely moves). Read
 * from Linux's `/proc/thread-self/schedstat` (nanoseconds on the CPU); elsewhere there is no per-thread
 * figure and the counter stays 0.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/**
 * How often a worker agent samples its thread's CPU time.
 *
 * @example
 * ```ts
 * const staleness = THREAD_CPU_SAMPLE_MS / 1000; // agent_cpu_seconds_total lags by at most this (s)
 * ```
 */
export const THREAD_CPU_SAMPLE_MS = 250;

/**
 * Seconds the calling thread has run on a CPU; undefined where the system does not say.
 *
 * @example
 * ```ts
 * const seconds = threadCpuSeconds(); // e.g. 1.234 on Linux, undefined elsewhere
 * ```
 */
export function threadCpuSeconds(): number | undefined {
  try {
    // "<ns on cpu> <ns waiting> <timeslices>"
    return Number(readFileSync("/proc/thread-self/schedstat", "utf8").split(" ")[0]) / 1e9;
  } catch {
    return undefined;
  }
}

/**
 * Samples the thread's CPU time into `counter` every {@link THREAD_CPU_SAMPLE_MS} until the returned
 * function is called; does nothing where there is no per-thread figure. Timers run between the agent's
 * slices, so a parked agent's counter waits with it (it uses no CPU meanwhile).
 *
 * @example
 * ```ts
 * const stop = sampleThreadCpu(counters.counter("agent_cpu_seconds_total"));
 * stop(); // when the agent closes
 * ```
 */
export function sampleThreadCpu(counter: { set(value: number): void }): () => void {
  if (threadCpuSeconds() === undefined) return () => {};
  const sample = () => counter.set(threadCpuSeconds() ?? 0);
  sample();
  const timer = setInterval(sample, THREAD_CPU_SAMPLE_MS);
  return () => clearInterval(timer);
}
