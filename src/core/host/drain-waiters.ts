/**
 * Drain requests waiting for an agent's inbound rings to empty: each is answered from the duty cycle
 * once every ring it waits for is closed by its producer and fully consumed.
 *
 * @module
 */

/** Inbound rings drained by role: handlers' feed rings, or sinks' rings. */
export type DrainRole = "handlers" | "sinks";

interface Waiter {
  ready(): boolean;
  resolve(): void;
}

/**
 * @example
 * ```ts
 * const waiters = new DrainWaiters((role) => inbound.drained(role), () => sinks.flushAll());
 * const done = waiters.wait("handlers");
 * waiters.resolveReady(); // from each duty cycle
 * await done;
 * ```
 */
export class DrainWaiters {
  private waiters: Waiter[] = [];

  constructor(
    private readonly drained: (role: DrainRole) => boolean,
    /** Sinks are flushed before their drain is answered, so everything accepted is written. */
    private readonly sinksDrained: () => void,
  ) {}

  wait(role: DrainRole): Promise<void> {
    return this.until(() => this.drained(role), () => {
      if (role === "sinks") this.sinksDrained();
    });
  }

  /** Resolves once `ready()` holds, checked from each duty cycle (e.g. one removed feed's rings drained); `then` runs first. */
  until(ready: () => boolean, then: () => void = () => {}): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({
        ready,
        resolve: () => {
          then();
          resolve();
        },
      });
      this.resolveReady();
    });
  }

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** True if a waiting drain can be answered now. */
  anyReady(): boolean {
    return this.waiters.some((waiter) => waiter.ready());
  }

  resolveReady(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (!waiter.ready()) return true;
      waiter.resolve();
      return false;
    });
  }
}
