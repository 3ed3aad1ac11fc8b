/**
 * Wraps a Web-standard `Worker` (Bun and Deno both provide one) as a {@link WorkerHandle}.
 *
 * @module
 */
import type { WorkerHandle } from "./types.ts";

/**
 * Adapts a global `Worker`. The message listener is attached synchronously, right after construction,
 * and messages are buffered until the caller sets its own listener: on Deno a listener attached after an
 * `await` lost the first message about half the time.
 *
 * @example
 * ```ts
 * const handle = wrapWebWorker(new Worker(url, { type: "module" }));
 * handle.onMessage((m) => console.log(m));
 * ```
 */
export function wrapWebWorker(worker: Worker): WorkerHandle {
  let listener: ((message: unknown) => void) | undefined;
  const early: unknown[] = [];
  let exitListener: ((reason: string) => void) | undefined;
  let exitReason: string | undefined;
  const exited = (reason: string) => {
    if (exitReason !== undefined) return;
    exitReason = reason;
    exitListener?.(reason);
  };
  worker.onmessage = (event: MessageEvent) => {
    if (listener) listener(event.data);
    else early.push(event.data);
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    const error = (event as { error?: unknown }).error;
    exited(`uncaught error: ${error instanceof Error ? error.message : event.message}`);
  };
  // Bun emits "close" when a worker exits (process.exit, self.close); Deno has no such event and relies on
  // the supervisor's heartbeat watchdog instead.
  const onClose = (event: unknown) => exited(`worker exited (code ${(event as { code?: number }).code ?? "unknown"})`);
  worker.addEventListener("close", onClose as unknown as EventListener);
  return {
    post: (message) => worker.postMessage(message),
    onMessage(next) {
      listener = next;
      for (const message of early.splice(0)) next(message);
    },
    onExit(next) {
      exitListener = next;
      if (exitReason !== undefined) next(exitReason);
    },
    terminate: () => worker.terminate(),
  };
}
