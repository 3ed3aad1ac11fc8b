/**
 * The `ctx.scheduler` of a replayed handler. Live, timers fire by time; in a replay they fire exactly
 * where the journal has their `timer` record. The journal names a timer by its ordinal: the k-th
 * successful `after/at/every` call of the handler is timer k (1-based), so a replayed handler that makes
 * the same calls in the same order gets the same ordinals, and {@link OrdinalScheduler.fire} runs the
 * callback the replayed handler registered for that ordinal. Nothing here reads a clock.
 *
 * @module
 */
import type { Scheduler } from "../handler-api.ts";
import { checkTimerArguments } from "../host/agent-scheduler.ts";

/** Why a `timer` record found no callback to run. */
export type TimerMiss = "unknown" | "cancelled";

interface ReplayedTimer {
  callback: () => unknown;
  /** One-shot timers are done after their firing; `every` timers fire again at each of their records. */
  repeats: boolean;
}

/**
 * @example
 * ```ts
 * const scheduler = new OrdinalScheduler("pnl");
 * scheduler.every(1_000, () => publishSnapshot()); // ordinal 1
 * const due = scheduler.due(1); // where the journal has {kind: "timer", ordinal: 1}
 * if (typeof due === "function") due();
 * ```
 */
export class OrdinalScheduler implements Scheduler {
  private readonly timers = new Map<number, ReplayedTimer>();
  private readonly cancelled = new Set<number>();
  private created = 0;

  constructor(private readonly handlerName: string) {}

  after(ms: number, callback: () => unknown): number {
    checkTimerArguments(this.handlerName, "after", ms, callback);
    return this.add(callback, false);
  }

  at(epochMs: number, callback: () => unknown): number {
    checkTimerArguments(this.handlerName, "at", epochMs, callback);
    return this.add(callback, false);
  }

  every(ms: number, callback: () => unknown): number {
    checkTimerArguments(this.handlerName, "every", ms, callback);
    return this.add(callback, true);
  }

  cancel(id: number): boolean {
    if (!this.timers.delete(id)) return false;
    this.cancelled.add(id);
    return true;
  }

  /**
   * The callback of timer `ordinal`, now firing (a one-shot timer is done with it); `unknown` when the
   * replayed handler never created that timer, `cancelled` when it cancelled it: either means the
   * handler does not behave as it did when the journal was written.
   */
  due(ordinal: number): (() => unknown) | TimerMiss {
    const timer = this.timers.get(ordinal);
    if (!timer) return this.cancelled.has(ordinal) ? "cancelled" : "unknown";
    if (!timer.repeats) this.timers.delete(ordinal);
    return timer.callback;
  }

  private add(callback: () => unknown, repeats: boolean): number {
    const ordinal = ++this.created;
    this.timers.set(ordinal, { callback, repeats });
    return ordinal;
  }
}
