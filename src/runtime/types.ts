/**
 * The small surface the engine needs from a JavaScript runtime. Everything outside `src/runtime/` is
 * runtime-agnostic and reaches Bun- or Deno-specific features only through {@link Runtime}.
 *
 * @module
 */

/** A spawned worker thread as the supervisor sees it. */
export interface WorkerHandle {
  /** Sends a control message (structured clone; SharedArrayBuffers are shared, not copied). */
  post(message: unknown): void;
  /**
   * Sets the message listener. Messages that arrived before a listener was set are buffered and
   * replayed in order, so no message is lost to a late listener.
   */
  onMessage(listener: (message: unknown) => void): void;
  /** Called once if the worker fails (uncaught error) or exits; `reason` says which. */
  onExit(listener: (reason: string) => void): void;
  /** Stops the worker thread immediately. */
  terminate(): void;
}

/** Per-worker limits for {@link Runtime.spawnWorker}. */
export interface WorkerLimits {
  /**
   * Heap bound in MB: reaching it ends this worker alone, reported through {@link WorkerHandle.onExit}
   * as "exceeded its heap limit of N MB". Enforced only where {@link Runtime.boundsWorkerHeap} holds.
   */
  maxHeapMb?: number;
}

/** libc functions reached through FFI (Linux). */
export interface Libc {
  /** Kernel thread id of the calling thread. */
  gettid(): number;
  /** Gives up the CPU (sched_yield). */
  schedYield(): void;
  /** Pins the calling thread to the given CPUs; returns 0 on success or -1. */
  setAffinity(cpus: readonly number[]): number;
  /** CPUs the calling thread may run on. */
  getAffinity(): number[];
}

/** A running HTTP server started by {@link Runtime.serve}. */
export interface HttpServer {
  /** The bound port (useful when 0 was asked for). */
  readonly port: number;
  /** Stops accepting connections and resolves once closed. */
  close(): Promise<void>;
}

/** Who sent a request {@link Runtime.serve} hands over. */
export interface ServeClient {
  /** The peer's IP address, when the runtime knows it. */
  address?: string;
}

/** Options for {@link Runtime.serve}. */
export interface ServeOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /** Serve HTTPS with this certificate chain and private key (PEM text). */
  tls?: { cert: string; key: string };
}

/** One adapter per runtime implements this. */
export interface Runtime {
  /** "bun" or "deno". */
  readonly name: "bun" | "deno";
  /** Runtime version, e.g. "1.4.5". */
  readonly version: string;
  /**
   * Whether {@link WorkerLimits.maxHeapMb} is enforced: true on Deno (a `node:worker_threads` worker with
   * V8 resource limits); false on Bun, whose JavaScriptCore has no per-worker heap limit.
   */
  readonly boundsWorkerHeap: boolean;
  /** Starts a module worker from an absolute URL. */
  spawnWorker(url: string, name: string, limits?: WorkerLimits): WorkerHandle;
  /**
   * Opens libc through the runtime's FFI. Resolves to `null` where FFI is unavailable or not
   * permitted (e.g. Deno without `--allow-ffi`), so callers degrade instead of failing.
   */
  loadLibc(): Promise<Libc | null>;
  /**
   * Runs a full garbage collection on the calling thread if the runtime allows it (Bun always; Deno
   * with `--v8-flags=--expose-gc`); returns whether it did. For heap measurements, not for production.
   */
  collectGarbage(): boolean;
  /** Serves HTTP with the runtime's native server. */
  serve(handler: (request: Request, client: ServeClient) => Response | Promise<Response>, options: ServeOptions): Promise<HttpServer>;
}
