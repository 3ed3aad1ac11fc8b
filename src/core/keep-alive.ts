/**
 * Whether a running server holds its process open. Like a listening HTTP server, a running server keeps
 * the program alive until it is stopped, whatever else is pending: one ref'ed timer, held from boot until
 * `stop()` completes, is that hold (the engine's other timers, and inline agents' parks with
 * `keepAlive: false`, do not count). With `keepAlive: false` the server holds nothing of its own and
 * the program may end while it runs; `stop()` still holds the process open until it has finished.
 *
 * @module
 */
import { clearInterval, setInterval } from "node:timers";

/** Period of the holding timer: it only has to exist, never to fire usefully. */
const HOLD_PERIOD_MS = 60_000;

/**
 * Holds the process open until the returned function is called.
 *
 * @example
 * ```ts
 * const release = holdProcessOpen();
 * // ... the program does not end here, even with nothing else to do
 * release();
 * ```
 */
export function holdProcessOpen(): () => void {
  const timer = setInterval(() => {}, HOLD_PERIOD_MS);
  return () => clearInterval(timer);
}

/**
 * Lets a timer not hold the process open (Deno's global timers are numbers, Bun's objects).
 *
 * @example
 * ```ts
 * const watchdog = setInterval(check, 1000);
 * unrefTimer(watchdog); // the program may end while it still ticks
 * ```
 */
export function unrefTimer(timer: unknown): void {
  if (typeof timer === "number") (globalThis as { Deno?: { unrefTimer(id: number): void } }).Deno?.unrefTimer(timer);
  else (timer as { unref?: () => void } | undefined)?.unref?.();
}

/**
 * A server's hold on its process: taken at boot (unless `keepAlive` is false), kept while `stop()` runs,
 * released for good once it completed.
 *
 * @example
 * ```ts
 * const keepAlive = new ServerKeepAlive(options.keepAlive ?? true);
 * // ... later, in stop():
 * return keepAlive.releaseAfter(supervisor.stop());
 * ```
 */
export class ServerKeepAlive {
  private release: (() => void) | undefined;

  constructor(enabled: boolean) {
    if (enabled) this.release = holdProcessOpen();
  }

  /** Holds the process open until `stopping` settles (also without keepAlive), then lets it go. */
  async releaseAfter<T>(stopping: Promise<T>): Promise<T> {
    const releaseWhileStopping = holdProcessOpen();
    try {
      return await stopping;
    } finally {
      releaseWhileStopping();
      this.release?.();
      this.release = undefined;
    }
  }
}
