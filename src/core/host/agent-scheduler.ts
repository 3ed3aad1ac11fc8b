/**
 * The scheduler of one agent: every handler's `ctx.scheduler` timers in one {@link DeadlineHeap}, fired
 * from the agent's duty cycle (so never concurrently with the agent's events), on the agent's clock. The
 * agent's parks end at the next deadline through `millisToNextDeadline`, so a `blocking` or `sleeping`
 * agent wakes on time and an agent without timers is not woken at all.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { Scheduler } from "../handler-api.ts";
import { DeadlineHeap } from "./deadline-heap.ts";

/** Told of a callback that threw, with the index of the handler that set it. */
export type TimerFailure = (owner: number, thrown: unknown) => void;

/**
 * @example
 * ```ts
 * const scheduler = new AgentScheduler(clock, onFailure, wakeAgent);
 * const timers = scheduler.forHandler("pnl", 0);
 * timers.every(1_000, () => publishSnapshot());
 * scheduler.runDue(256); // in the duty cycle: callbacks now due, at most 256
 * ```
 */
export class AgentScheduler {
  private readonly heap = new DeadlineHeap<() => unknown>();

  /**
   * @param wakeAgent called when a timer set outside the duty cycle (from a promise or I/O callback) became
   *   the earliest: the agent may be parked until a later deadline and must recompute its park.
   */
  constructor(private readonly clock: Clock, private readonly failed: TimerFailure, private readonly wakeAgent: () => void) {}

  /** The `ctx.scheduler` of handler `handlerName`, whose timers carry `owner`. */
  forHandler(handlerName: string, owner: number): HandlerScheduler {
    return new HandlerScheduler(this, handlerName, owner);
  }

  /** Milliseconds until the earliest deadline (0 if overdue), or Infinity with no timers. */
  millisToNextDeadline(): number {
    if (this.heap.size === 0) return Infinity;
    return Math.max(0, this.heap.nextDeadline() - this.clock.epochMillis());
  }

  /** The earliest deadline (epoch ms), or Infinity with no timers. */
  nextDeadline(): number {
    return this.heap.nextDeadline();
  }

  /** Fires the timers due now, earliest first, at most `limit`; returns how many fired. */
  runDue(limit: number): number {
    const heap = this.heap;
    if (heap.size === 0) return 0;
    const now = this.clock.epochMillis();
    let fired = 0;
    while (fired < limit) {
      const slot = heap.popDue(now);
      if (slot < 0) break;
      fired++;
      const callback = heap.payloadOf(slot);
      const owner = heap.tagOf(slot);
      const period = heap.periodOf(slot);
      // A one-shot timer is done before its callback runs: cancelling it there is a no-op, and its slot is free for new timers.
      const id = heap.idOf(slot);
      if (period === 0) heap.release(slot);
      this.call(callback, owner);
      if (period === 0 || !heap.isLive(id)) continue;
      // Fixed rate; after a stall the missed runs are skipped, not fired in a burst.
      const next = heap.deadlineOf(slot) + period;
      heap.reschedule(slot, next > now ? next : now + period);
    }
    return fired;
  }

  /** Cancels the timers of one handler (by owner), or all; returns how many. */
  clear(owner?: number): number {
    return this.heap.clear(owner);
  }

  /** Adds a timer; wakes the agent if it is now the earliest. */
  add(deadline: number, period: number, callback: () => unknown, owner: number): number {
    const before = this.heap.nextDeadline();
    const id = this.heap.add(deadline, period, callback, owner);
    if (deadline < before) this.wakeAgent();
    return id;
  }

  cancel(id: number): boolean {
    return this.heap.cancel(id);
  }

  now(): number {
    return this.clock.epochMillis();
  }

  private call(callback: () => unknown, owner: number): void {
    try {
      const result = callback();
      if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
        (result as Promise<unknown>).then(undefined, (thrown) => this.failed(owner, thrown));
      }
    } catch (thrown) {
      this.failed(owner, thrown);
    }
  }
}

/** What each `ctx.scheduler` call accepts as its number: `after` ≥ 0, `every` > 0, `at` any finite time. */
const LOWEST: Record<TimerMethod, number> = { after: 0, at: -Infinity, every: Number.MIN_VALUE };

/** The calls of `ctx.scheduler` that create a timer. */
export type TimerMethod = "after" | "at" | "every";

/**
 * Throws a TypeError naming the handler when a `ctx.scheduler` call has a bad number or no function;
 * shared by every scheduler a handler can be given (live, data-driven, replayed).
 *
 * @example
 * ```ts
 * checkTimerArguments("pnl", "every", 0, () => {}); // throws: needs a finite number > 0 for ms, got 0
 * ```
 */
export function checkTimerArguments(handlerName: string, method: TimerMethod, value: number, callback: unknown): void {
  const min = LOWEST[method];
  const argument = method === "at" ? "epochMs" : "ms";
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    const expected = min === 0 ? "a finite number ≥ 0" : min > 0 ? "a finite number > 0" : "a finite number";
    throw new TypeError(`handler "${handlerName}": ctx.scheduler.${method}(${argument}, fn) needs ${expected} for ${argument}, got ${String(value)}`);
  }
  if (typeof callback !== "function") throw new TypeError(`handler "${handlerName}": ctx.scheduler.${method}(${argument}, fn) needs a function for fn, got ${typeof callback}`);
}

/**
 * One handler's view of its agent's scheduler: checks arguments and names the handler in errors.
 *
 * @example
 * ```ts
 * const timers = agentScheduler.forHandler("pnl", 0);
 * timers.moveTo(recordTimeline.scheduler); // its timers set from now on fire by record time
 * ```
 */
export class HandlerScheduler implements Scheduler {
  constructor(private agent: AgentScheduler, private readonly handlerName: string, private readonly owner: number) {}

  /** Timers set from now on go to `agent` (a handler that follows a `clock: replayRecords` feed); those already set stay where they are. */
  moveTo(agent: AgentScheduler): void {
    this.agent = agent;
  }

  after(ms: number, callback: () => unknown): number {
    checkTimerArguments(this.handlerName, "after", ms, callback);
    return this.agent.add(this.agent.now() + ms, 0, callback, this.owner);
  }

  at(epochMs: number, callback: () => unknown): number {
    checkTimerArguments(this.handlerName, "at", epochMs, callback);
    return this.agent.add(epochMs, 0, callback, this.owner);
  }

  every(ms: number, callback: () => unknown): number {
    checkTimerArguments(this.handlerName, "every", ms, callback);
    return this.agent.add(this.agent.now() + ms, ms, callback, this.owner);
  }

  cancel(id: number): boolean {
    return this.agent.cancel(id);
  }
}
