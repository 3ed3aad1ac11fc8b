/**
 * How an agent's thread waits. Idle strategies say *when* to spin, yield, park or sleep; a {@link Parker}
 * says *how*, so the same strategies serve a worker thread (blocking waits, lowest latency) and an inline
 * agent on the event loop (async waits that never block the thread).
 *
 * @module
 */
import { clearInterval, setImmediate, setInterval } from "node:timers";
import type { AgentSignals } from "./signals.ts";

/** The waits an idle strategy can ask for. */
export interface Parker {
  /** Waits until a producer publishes to this agent, a control message arrives, or `timeoutNs` passes. */
  park(timeoutNs: number): void;
  /** Waits `timeoutNs`; only a control message ends it early (producers do not). */
  sleep(timeoutNs: number): void;
  /** Lets other threads run for a moment. */
  yield(): void;
}

/** What a parker needs to know about the agent it parks. */
export interface ParkContext {
  signals: AgentSignals;
  /** True if input (or a control message) is already waiting; re-checked after announcing a park. */
  hasPendingInput(): boolean;
  /** Milliseconds until the agent's next timed work, or Infinity. */
  millisToNextDeadline(): number;
  /** Upper bound of one park, so heartbeats and event-loop turns keep happening. */
  maxParkMs: number;
}

/** Period of the timer holding the event loop during an async park; it only has to exist, never to fire. */
const LOOP_HOLD_PERIOD_MS = 60_000;

function boundedMillis(context: ParkContext, timeoutNs: number): number {
  return Math.max(0, Math.min(timeoutNs / 1e6, context.maxParkMs, context.millisToNextDeadline()));
}

/**
 * Blocks the calling thread: for worker agents.
 *
 * @example
 * ```ts
 * const parker = new BlockingParker(context, libc?.schedYield);
 * parker.park(1_000_000); // up to 1 ms, or until a producer publishes
 * ```
 */
export class BlockingParker implements Parker {
  private readonly yieldWord = new Int32Array(new SharedArrayBuffer(4));

  /** @param schedYield libc `sched_yield` when FFI is available. */
  constructor(private readonly context: ParkContext, private readonly schedYield?: () => void) {}

  park(timeoutNs: number): void {
    const { signals } = this.context;
    const timeoutMs = boundedMillis(this.context, timeoutNs);
    signals.wake.announceSleep();
    if (this.context.hasPendingInput() || timeoutMs === 0) {
      signals.wake.cancelSleep();
      return;
    }
    signals.wake.sleep(timeoutMs);
  }

  sleep(timeoutNs: number): void {
    const { signals } = this.context;
    // Read the doorbell before checking for work: a ring after the read ends the wait at once.
    const seen = signals.controlSequence();
    if (this.context.hasPendingInput()) return;
    signals.sleepUntilDoorbell(seen, boundedMillis(this.context, timeoutNs));
  }

  yield(): void {
    // Without FFI, a 1 µs timed futex wait is the closest thing to sched_yield.
    if (this.schedYield) this.schedYield();
    else Atomics.wait(this.yieldWord, 0, 0, 0.001);
  }
}

/**
 * Never blocks: records the requested wait for the runner to `await` after the idle strategy returns.
 * For inline agents sharing the event loop with the embedding program.
 *
 * @example
 * ```ts
 * strategy.idle(0);            // may call parker.park(...)
 * await parker.settle();       // performs the recorded wait, if any
 * ```
 */
export class AsyncParker implements Parker {
  private pending: "park" | "sleep" | "yield" | undefined;
  private pendingNs = 0;

  /** @param holdsProcess false: a park does not hold the process open (the program may end during it) */
  constructor(private readonly context: ParkContext, private readonly holdsProcess = true) {}

  park(timeoutNs: number): void {
    this.pending = "park";
    this.pendingNs = timeoutNs;
  }

  sleep(timeoutNs: number): void {
    this.pending = "sleep";
    this.pendingNs = timeoutNs;
  }

  yield(): void {
    this.pending = "yield";
  }

  /** True when a wait was requested and not yet performed. */
  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** Performs the recorded wait (if any) without blocking the thread. */
  async settle(): Promise<void> {
    const kind = this.pending;
    this.pending = undefined;
    const { signals } = this.context;
    const timeoutMs = boundedMillis(this.context, this.pendingNs);
    if (kind === "yield") return await yieldToEventLoop();
    // Deno counts neither a pending Atomics.waitAsync nor its resolution as work that keeps the event loop
    // alive, so a timer holds the loop until the wait has settled. Not just until its deadline: the wait's
    // own timeout is often delivered milliseconds late, and a loop left with nothing ended the program
    // with this agent suspended in mid-park.
    const holdLoop = setInterval(() => {}, LOOP_HOLD_PERIOD_MS);
    if (!this.holdsProcess) holdLoop.unref();
    try {
      if (kind === "sleep") {
        const seen = signals.controlSequence();
        if (!this.context.hasPendingInput()) await signals.sleepUntilDoorbellAsync(seen, timeoutMs);
        return;
      }
      signals.wake.announceSleep();
      if (this.context.hasPendingInput() || timeoutMs === 0) signals.wake.cancelSleep();
      else await signals.wake.sleepAsync(timeoutMs);
    } finally {
      clearInterval(holdLoop);
    }
  }
}

/**
 * Resolves after one turn of the event loop (pending messages, timers and I/O get to run). setImmediate
 * costs ~1.5 µs on Bun and ~4 µs on Deno here; `setTimeout(0)` costs 1–2 ms.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
