/**
 * Adapts the two worker APIs the runtimes offer, the Web-standard `Worker` (Bun and Deno) and
 * `node:worker_threads` (Deno, where it is the only way to bound a worker's heap), to one
 * {@link WorkerHandle}.
 *
 * @module
 */
import type { Worker as NodeWorker } from "node:worker_threads";
import type { WorkerHandle } from "./types.ts";

/**
 * The part both adapters share: buffers messages until a listener is set, and reports the first exit
 * reason exactly once (later ones, such as the exit that follows an error, are dropped).
 */
function handleOf(post: (message: unknown) => void, terminate: () => void) {
  let listener: ((message: unknown) => void) | undefined;
  const early: unknown[] = [];
  let exitListener: ((reason: string) => void) | undefined;
  let exitReason: string | undefined;
  const handle: WorkerHandle = {
    post,
    onMessage(next) {
      listener = next;
      for (const message of early.splice(0)) next(message);
    },
    onExit(next) {
      exitListener = next;
      if (exitReason !== undefined) next(exitReason);
    },
    terminate,
  };
  return {
    handle,
    received(message: unknown) {
      if (listener) listener(message);
      else early.push(message);
    },
    exited(reason: string) {
      if (exitReason !== undefined) return;
      exitReason = reason;
      exitListener?.(reason);
    },
  };
}

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
  const { handle, received, exited } = handleOf((message) => worker.postMessage(message), () => worker.terminate());
  worker.onmessage = (event: MessageEvent) => received(event.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    const error = (event as { error?: unknown }).error;
    exited(`uncaught error: ${error instanceof Error ? error.message : event.message}`);
  };
  // Bun emits "close" when a worker exits (process.exit, self.close); Deno has no such event and relies on
  // the supervisor's heartbeat watchdog instead.
  const onClose = (event: unknown) => exited(`worker exited (code ${(event as { code?: number }).code ?? "unknown"})`);
  worker.addEventListener("close", onClose as unknown as EventListener);
  return handle;
}

/**
 * Adapts a `node:worker_threads` Worker started with `resourceLimits`. When the worker reaches its heap
 * limit, V8 ends that worker alone and it emits an `ERR_WORKER_OUT_OF_MEMORY` error, reported here as
 * "exceeded its heap limit of N MB"; the rest of the process keeps running.
 *
 * @example
 * ```ts
 * const handle = wrapNodeWorker(new NodeWorker(new URL(url), { resourceLimits: { maxOldGenerationSizeMb: 64 } }), 64);
 * handle.onExit((reason) => console.log(reason)); // "exceeded its heap limit of 64 MB (…)"
 * ```
 */
export function wrapNodeWorker(worker: NodeWorker, maxHeapMb: number): WorkerHandle {
  const { handle, received, exited } = handleOf((message) => worker.postMessage(message), () => void worker.terminate());
  worker.on("message", received);
  worker.on("error", (error: Error & { code?: string }) => {
    if (error.code === "ERR_WORKER_OUT_OF_MEMORY") exited(`exceeded its heap limit of ${maxHeapMb} MB (${error.message})`);
    else exited(`uncaught error: ${error.message}`);
  });
  worker.on("exit", (code: number) => exited(`worker exited (code ${code})`));
  return handle;
}
