/**
 * Drain requests waiting for an agent's inbound rings to empty: each is answered from the duty cycle
 * once every ring of its role is closed by its producer and fully consumed.
 *
 * @module
 */

/** Inbound rings drained by role: handlers' feed rings, or sinks' rings. */
export type DrainRole = "handlers" | "sinks";

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
  private waiters: { role: DrainRole; resolve(): void }[] = [];

  constructor(
    private readonly drained: (role: DrainRole) => boolean,
    /** Sinks are flushed before their drain is answered, so everything accepted is written. */
    private readonly sinksDrained: () => void,
  ) {}

  wait(role: DrainRole): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ role, resolve });
      this.resolveReady();
    });
  }

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  /** True if a waiting drain can be answered now. */
  anyReady(): boolean {
    return this.waiters.some((waiter) => this.drained(waiter.role));
  }

  resolveReady(): void {
    this.waiters = this.waiters.filter((waiter) => {
      if (!this.drained(waiter.role)) return true;
      if (waiter.role === "sinks") this.sinksDrained();
      waiter.resolve();
      return false;
    });
  }
}
