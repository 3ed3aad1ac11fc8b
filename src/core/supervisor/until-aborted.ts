/**
 * Abandoning a wait when an AbortSignal fires: the boot stops waiting for requests in flight at once
 * instead of until their timeouts.
 *
 * @module
 */

/**
 * Settles as `work` does, or rejects with the signal's reason as soon as `signal` aborts (at once if it
 * already has). `work` goes on; its outcome is then ignored.
 *
 * @example
 * ```ts
 * await untilAborted(agent.request({ op: "lifecycle", phase: "start", role: "handlers" }, 30_000), signal);
 * ```
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    const settled = () => signal.removeEventListener("abort", abort);
    work.then((value) => (settled(), resolve(value)), (error) => (settled(), reject(error)));
    if (signal.aborted) abort();
  });
}
