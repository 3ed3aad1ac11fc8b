/**
 * How many more times a dead agent may be restarted, and after how long: at most `maxRestarts` restarts
 * in any `windowMs`, the n-th restart within the window after `backoffMs · 2^(n-1)`, capped at
 * `backoffMaxMs`. A quiet window forgets older restarts, so the backoff starts over.
 *
 * @module
 */
import type { RestartPolicy } from "../../plan/types.ts";

/** The next restart to make: its number (1 for the first since the agent started) and the wait before it. */
export interface PlannedRestart {
  attempt: number;
  delayMs: number;
}

/**
 * @example
 * ```ts
 * const budget = new RestartBudget({ maxRestarts: 2, windowMs: 60_000, backoffMs: 100, backoffMaxMs: 1_000 });
 * budget.next(performance.now()); // { attempt: 1, delayMs: 100 }
 * budget.next(performance.now()); // { attempt: 2, delayMs: 200 }
 * budget.next(performance.now()); // undefined: give up
 * ```
 */
export class RestartBudget {
  /** `performance.now()` of each restart within the window. */
  private readonly recent: number[] = [];
  private attempts = 0;

  constructor(readonly policy: RestartPolicy) {}

  /** Records a death at `now`; the restart to make, or undefined when the window's restarts are spent. */
  next(now: number): PlannedRestart | undefined {
    while (this.recent.length > 0 && now - this.recent[0] >= this.policy.windowMs) this.recent.shift();
    if (this.recent.length >= this.policy.maxRestarts) return undefined;
    const delayMs = Math.min(this.policy.backoffMaxMs, this.policy.backoffMs * 2 ** this.recent.length);
    this.recent.push(now);
    return { attempt: ++this.attempts, delayMs };
  }

  /** Restarts in the current window, for messages: `3 restarts in 60000 ms`. */
  describeSpent(): string {
    return `${this.recent.length} restart${this.recent.length === 1 ? "" : "s"} within restartWindowMs ${this.policy.windowMs} (maxRestarts ${this.policy.maxRestarts})`;
  }
}
