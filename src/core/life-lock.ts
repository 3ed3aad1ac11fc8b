/**
 * Learning that a worker thread ended when the runtime does not say so. A Deno `Worker` that calls
 * `process.exit()` or `close()` raises no event (Bun raises `close`), so the heartbeat watchdog was the
 * only witness, seconds later. Instead the worker takes a Web Lock at boot and holds it for its whole
 * life; the supervisor asks for the same lock, which is granted the moment the thread ends, whatever
 * ended it (measured 2–5 ms after `process.exit`, `close()` or `terminate()` on Deno 2). A worker stuck
 * in a loop still holds it: that is the watchdog's case.
 *
 * @module
 */

type LockManager = { request(name: string, callback: () => Promise<unknown> | unknown): Promise<unknown> };

function lockManager(): LockManager | undefined {
  return (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
}

/**
 * A fresh lock name for one worker of `agent`, or undefined where the runtime has no Web Locks.
 *
 * @example
 * ```ts
 * const lifeLock = newLifeLockName("processor"); // "mongoose-agent-life:processor:3f0c…" on Deno
 * ```
 */
export function newLifeLockName(agent: string): string | undefined {
  return lockManager() ? `mongoose-agent-life:${agent}:${crypto.randomUUID()}` : undefined;
}

/**
 * Worker side: takes the lock and keeps it until the thread ends; resolves once it is held (the
 * supervisor must not ask for it earlier, or it would get it first).
 *
 * @example
 * ```ts
 * if (boot.lifeLock) await holdLifeLock(boot.lifeLock);
 * ```
 */
export function holdLifeLock(name: string): Promise<void> {
  const locks = lockManager();
  if (!locks) return Promise.resolve();
  return new Promise((held) => {
    void locks.request(name, () => {
      held();
      return new Promise(() => {}); // never released: the thread's end releases it
    });
  });
}

/**
 * Supervisor side: calls `ended` once the worker holding the lock is gone. Ask only after the worker
 * said it holds it (its boot reply).
 *
 * @example
 * ```ts
 * watchLifeLock(boot.lifeLock, () => agentGone("worker exited"));
 * ```
 */
export function watchLifeLock(name: string, ended: () => void): void {
  void lockManager()?.request(name, () => ended());
}
