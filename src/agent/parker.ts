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
  /**
   * Longest park that blocks the thread. A worker's blocking park that ran this long without a signal is
   * followed by an asynchronous one (event loop free for timers and I/O, no periodic wakeups); an inline
   * agent's parks never last longer.
   */
  maxParkMs: number;
  /**
   * True while the agent's I/O completes in event-loop callbacks (a socket): every park is then deferred
   * to the runner as an asynchronous wait, so the callbacks run during it (and wake the agent) instead of
   * waiting behind a blocked thread for up to `maxParkMs`. Absent: false.
   */
  ioOnEventLoop?: () => boolean;
}

/** A parker whose waits may be deferred to the runner, which awaits them between slices. */
export interface DeferringParker {
  /** True when a wait was requested and not yet performed. */
  readonly hasPending: boolean;
  /** Performs the recorded wait (if any) without blocking the thread. */
  settle(): Promise<void>;
}

/** Period of the timer holding the event loop during an async wait; it only has to exist, never to fire. */
const LOOP_HOLD_PERIOD_MS = 60_000;

/**
 * Holds the event loop open until the returned function is called. Deno counts neither a pending
 * Atomics.waitAsync nor its resolution as work that keeps the event loop alive, so an async wait holds
 * the loop with a timer until the wait has settled. Not just until its deadline: the wait's own timeout
 * is often delivered milliseconds late, and a loop left with nothing ended the program with the agent
 * suspended in mid-park. `holdsProcess` false: the timer does not keep the process alive by itself.
 */
function holdEventLoop(holdsProcess: boolean): () => void {
  const hold = setInterval(() => {}, LOOP_HOLD_PERIOD_MS);
  if (!holdsProcess) hold.unref();
  return () => clearInterval(hold);
}

function boundedMillis(context: ParkContext, timeoutNs: number): number {
  return Math.max(0, Math.min(timeoutNs / 1e6, context.maxParkMs, context.millisToNextDeadline()));
}

/**
 * Blocks the calling thread, for worker agents: the lowest wake-up latency. A park only blocks up to
 * `maxParkMs`, since a blocked thread runs no timers or I/O callbacks; once such a park ran out with
 * nothing to do, the next long park is deferred to the runner as an asynchronous wait on the same word,
 * which costs no wakeups however long the agent stays idle.
 *
 * @example
 * ```ts
 * const parker = new BlockingParker(context, libc?.schedYield);
 * parker.park(1_000_000); // up to 1 ms, or until a producer publishes
 * if (parker.hasPending) await parker.settle(); // after a long idle park: waits without blocking
 * ```
 */
export class BlockingParker implements Parker, DeferringParker {
  private readonly yieldWord = new Int32Array(new SharedArrayBuffer(4));
  /** The last blocking park ran out at `maxParkMs` with no signal: the agent is idle for longer. */
  private idleBeyondBlockingPark = false;
  private deferredMs = -1;

  /** @param schedYield libc `sched_yield` when FFI is available. */
  constructor(private readonly context: ParkContext, private readonly schedYield?: () => void) {}

  park(timeoutNs: number): void {
    const { signals, maxParkMs } = this.context;
    if ((this.idleBeyondBlockingPark && timeoutNs / 1e6 > maxParkMs) || this.context.ioOnEventLoop?.() === true) {
      this.deferredMs = Math.max(0, Math.min(timeoutNs / 1e6, this.context.millisToNextDeadline()));
      return;
    }
    const timeoutMs = boundedMillis(this.context, timeoutNs);
    signals.wake.announceSleep();
    if (this.context.hasPendingInput() || timeoutMs === 0) {
      signals.wake.cancelSleep();
      return;
    }
    this.idleBeyondBlockingPark = signals.wake.sleep(timeoutMs) === "timed-out" && timeoutMs === maxParkMs;
  }

  get hasPending(): boolean {
    return this.deferredMs >= 0;
  }

  async settle(): Promise<void> {
    const timeoutMs = this.deferredMs;
    this.deferredMs = -1;
    this.idleBeyondBlockingPark = false;
    if (timeoutMs >= 0) await parkAsync(this.context, timeoutMs);
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

/** Waits on the agent's wake word without blocking the thread, as the blocking park does (same protocol). */
async function parkAsync(context: ParkContext, timeoutMs: number, holdsProcess = true): Promise<void> {
  const { signals } = context;
  const release = holdEventLoop(holdsProcess);
  try {
    signals.wake.announceSleep();
    if (context.hasPendingInput() || timeoutMs === 0) signals.wake.cancelSleep();
    else await signals.wake.sleepAsync(timeoutMs);
  } finally {
    release();
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
export class AsyncParker implements Parker, DeferringParker {
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

  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  async settle(): Promise<void> {
    const kind = this.pending;
    this.pending = undefined;
    const { signals } = this.context;
    const timeoutMs = boundedMillis(this.context, this.pendingNs);
    if (kind === undefined) return;
    if (kind === "yield") return await yieldToEventLoop();
    if (kind === "park") return await parkAsync(this.context, timeoutMs, this.holdsProcess);
    const release = holdEventLoop(this.holdsProcess);
    try {
      const seen = signals.controlSequence();
      if (!this.context.hasPendingInput()) await signals.sleepUntilDoorbellAsync(seen, timeoutMs);
    } finally {
      release();
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
