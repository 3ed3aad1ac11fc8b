/**
 * Says what a long wait is waiting for: while a boot or stop step is pending past a threshold, a report
 * runs now and then, so a stuck component shows up in the log instead of as silence.
 *
 * @module
 */

/** When to report: once after `firstAfterMs`, then every `everyMs` while the wait lasts. */
export interface SlowWaitTiming {
  firstAfterMs: number;
  everyMs: number;
}

/**
 * Resolves or rejects as `work` does; meanwhile calls `report` with the milliseconds waited so far, as
 * `timing` says.
 *
 * @example
 * ```ts
 * await reportSlowWait(agents.ask(request, "handlers", 30_000), (waitedMs) => log.warn("still waiting", { waitedMs }), { firstAfterMs: 1_000, everyMs: 5_000 });
 * ```
 */
export async function reportSlowWait<T>(work: Promise<T>, report: (waitedMs: number) => void, timing: SlowWaitTiming): Promise<T> {
  const startedAt = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reportAfter = (ms: number) => {
    timer = setTimeout(() => {
      report(performance.now() - startedAt);
      reportAfter(timing.everyMs);
    }, ms);
  };
  reportAfter(timing.firstAfterMs);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whole seconds, for log lines: `5 s`.
 *
 * @example
 * ```ts
 * seconds(5_012); // "5 s"
 * ```
 */
export function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
