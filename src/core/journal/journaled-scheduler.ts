/**
 * A handler's `ctx.scheduler` while its journal is on: the k-th timer the handler creates has ordinal k,
 * and every firing of it is journaled with that ordinal before its callback runs. The agent's own timers
 * for the handler (retry backoffs) use the scheduler underneath, so they take no ordinals.
 *
 * @module
 */
import type { Scheduler } from "../handler-api.ts";
import type { JournalWriter } from "./journal-writer.ts";

/**
 * @example
 * ```ts
 * const scheduler = new JournaledScheduler(agentScheduler.forHandler("pnl", 0), journal);
 * scheduler.every(100, tick); // ordinal 1: each firing writes a timer record with ordinal 1
 * ```
 */
export class JournaledScheduler implements Scheduler {
  /** Timers created so far (calls that threw for bad arguments created none). */
  private created = 0;

  constructor(private readonly inner: Scheduler, private readonly journal: JournalWriter) {}

  after(ms: number, fn: () => unknown): number {
    return this.journaled(fn, (callback) => this.inner.after(ms, callback));
  }

  at(epochMs: number, fn: () => unknown): number {
    return this.journaled(fn, (callback) => this.inner.at(epochMs, callback));
  }

  every(ms: number, fn: () => unknown): number {
    return this.journaled(fn, (callback) => this.inner.every(ms, callback));
  }

  cancel(id: number): boolean {
    return this.inner.cancel(id);
  }

  private journaled(fn: () => unknown, create: (callback: () => unknown) => number): number {
    const ordinal = this.created + 1;
    const journal = this.journal;
    const id = create(typeof fn === "function" ? () => {
      journal.clock.hold();
      try {
        journal.timer(ordinal);
        return fn();
      } finally {
        journal.clock.release();
      }
    } : fn);
    this.created = ordinal;
    return id;
  }
}
