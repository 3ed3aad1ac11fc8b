/**
 * A futex word that lets one sleeper park until any of several wakers signals it, without lost wakeups.
 *
 * Protocol (the sleeper waits on the very word the wakers change):
 * - sleeper: `store(word, 1)`; re-check its input; `wait(word, 1, timeout)`; `exchange(word, 0)`.
 * - waker: after publishing (a seq-cst store of its ring head), `load(word) === 1 && exchange(word, 0) === 1`
 *   then `notify(word)`.
 *
 * Both sides use sequentially consistent Atomics, so either the sleeper's re-check sees the new head or the
 * waker sees the 1 and notifies (Dekker). A waker that clears the flag of a *later* sleep only makes that
 * `wait` return at once ("not-equal"): a spurious wakeup, never a lost one. Clearing a flag while waiting
 * on a different word is what loses wakeups; this class never does that.
 *
 * @module
 */

/** Result of a synchronous sleep. */
export type SleepResult = "ok" | "not-equal" | "timed-out";

const SLEEPING = 1;
const AWAKE = 0;

/**
 * One wake word inside a shared Int32Array.
 *
 * @example
 * ```ts
 * const words = new Int32Array(new SharedArrayBuffer(64));
 * const signal = new WakeSignal(words, 0);
 * // consumer thread:
 * signal.announceSleep();
 * if (!hasInput()) signal.sleep(10); else signal.cancelSleep();
 * // producer thread, after publishing:
 * signal.signal();
 * ```
 */
export class WakeSignal {
  constructor(private readonly words: Int32Array, private readonly index: number) {}

  /** Waker side: wakes the sleeper if (and only if) it announced a sleep. Cheap when nobody sleeps. */
  signal(): void {
    if (Atomics.load(this.words, this.index) === SLEEPING && Atomics.exchange(this.words, this.index, AWAKE) === SLEEPING) {
      Atomics.notify(this.words, this.index, 1);
    }
  }

  /** Sleeper side, step 1: announce the sleep. Re-check for input after this and before sleeping. */
  announceSleep(): void {
    Atomics.store(this.words, this.index, SLEEPING);
  }

  /** Sleeper side: abandon an announced sleep (input turned up during the re-check). */
  cancelSleep(): void {
    Atomics.exchange(this.words, this.index, AWAKE);
  }

  /** Sleeper side, step 2: blocks until signalled or `timeoutMs` passes (blocks the calling thread). */
  sleep(timeoutMs: number): SleepResult {
    const result = Atomics.wait(this.words, this.index, SLEEPING, timeoutMs);
    Atomics.exchange(this.words, this.index, AWAKE);
    return result;
  }

  /** Sleeper side, step 2 without blocking the thread: resolves when signalled or after `timeoutMs`. */
  async sleepAsync(timeoutMs: number): Promise<SleepResult> {
    const waiting = Atomics.waitAsync(this.words, this.index, SLEEPING, timeoutMs);
    const result = waiting.async ? await waiting.value : waiting.value;
    Atomics.exchange(this.words, this.index, AWAKE);
    return result;
  }
}
