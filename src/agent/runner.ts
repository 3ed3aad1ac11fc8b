/**
 * Drives one {@link Agent} on its thread, after Agrona's `AgentRunner`: duty cycle, idle strategy, repeat.
 *
 * The runner works in slices. A slice runs duty cycles back to back (the hot loop) and ends when the
 * slice time is used up, when a control message is waiting, or when an async park was requested; the
 * runner then gives the event loop one turn (control messages, timers, handler I/O) and starts the next
 * slice. Worker agents park with blocking waits inside a slice (long idle parks are deferred to the runner);
 * inline agents never block the thread.
 *
 * @module
 */
import type { Agent } from "./agent.ts";
import type { IdleStrategy } from "./idle-strategy.ts";
import { setImmediate } from "node:timers";
import type { DeferringParker } from "./parker.ts";
import type { AgentSignals } from "./signals.ts";

/** Runner settings. */
export interface RunnerOptions {
  /** Longest stretch of duty cycles before the runner returns to the event loop. */
  sliceMs: number;
  /** The parker whose deferred waits the runner awaits between slices (every inline agent's; a worker's long parks). */
  asyncParker?: DeferringParker;
  /** True while control messages are posted but not yet received (the runner then keeps yielding). */
  controlBacklog?: () => boolean;
}

/**
 * Runs an agent until {@link AgentRunner.close} is called.
 *
 * @example
 * ```ts
 * const runner = new AgentRunner(agent, idleStrategy, signals, { sliceMs: 5 });
 * const done = runner.run();
 * // ... later
 * runner.close();
 * await done;
 * ```
 */
export class AgentRunner {
  private closing = false;
  private inCycle = false;
  private readonly controlBacklog: () => boolean;

  constructor(
    readonly agent: Agent,
    private readonly idleStrategy: IdleStrategy,
    private readonly signals: AgentSignals,
    private readonly options: RunnerOptions,
  ) {
    this.controlBacklog = options.controlBacklog ?? (() => false);
  }

  /**
   * Runs duty cycles until closed; calls the agent's `onStart` first and `onClose` last. Each slice starts
   * from a `setImmediate` callback rather than a promise continuation: Deno 2.9 reports a worker that hits
   * its heap limit (`ERR_WORKER_OUT_OF_MEMORY`) only when that happens in a macrotask; in a microtask the
   * worker dies silently.
   */
  run(): Promise<void> {
    this.agent.onStart?.();
    return new Promise<void>((resolve, reject) => {
      const finish = (failure?: { error: unknown }) => {
        try {
          this.agent.onClose?.();
        } finally {
          if (failure) reject(failure.error);
          else resolve();
        }
      };
      const fail = (error: unknown) => finish({ error });
      const slice = () => {
        if (this.closing) return finish();
        try {
          // Beat on entry too: a parked agent woken by the watchdog's probe answers at once, not after the
          // blocking park its slice may begin with (up to maxParkMs).
          this.signals.beat();
          if (!this.controlBacklog()) this.runSlice();
          this.signals.beat();
        } catch (error) {
          return fail(error);
        }
        const parker = this.options.asyncParker;
        // Inline agents run on the supervisor's thread, which no heap limit applies to: no extra hop there.
        if (parker?.hasPending) parker.settle().then(slice, fail);
        else setImmediate(slice);
      };
      setImmediate(slice);
    });
  }

  /** Asks the runner to stop after the current duty cycle; wakes it if parked. */
  close(): void {
    this.closing = true;
    this.signals.ringDoorbell();
  }

  /**
   * Runs one duty cycle now, unless this agent is already inside one further up the stack (then 0).
   * Lets a producer on the same thread make progress while it waits for ring space.
   */
  runOnce(): number {
    if (this.inCycle) return 0;
    this.inCycle = true;
    try {
      return this.agent.doWork();
    } finally {
      this.inCycle = false;
    }
  }

  private runSlice(): void {
    const endAt = performance.now() + this.options.sliceMs;
    const parker = this.options.asyncParker;
    for (let cycle = 1; ; cycle++) {
      const work = this.runOnce();
      this.idleStrategy.idle(work);
      if (this.closing || parker?.hasPending || this.controlBacklog()) return;
      // An idle cycle that may have waited reads the clock at once; a spinning one only every 64 cycles,
      // as a busy one does (a clock read costs more than an idle spin: 45 ns on Bun, 180 ns on Deno).
      if (((cycle & 63) === 0 || (work === 0 && !this.idleStrategy.spinning)) && performance.now() >= endAt) return;
    }
  }
}
