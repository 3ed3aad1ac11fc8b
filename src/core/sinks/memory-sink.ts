/**
 * `type: memory`: keeps values in memory on the supervisor's thread for the embedding program to read or
 * await.
 *
 * @module
 */
import { isFixedEvent } from "../../transport/fixed-layout.ts";
import type { SinkPlugin } from "../plugin-api.ts";

interface Waiter {
  ready(): boolean;
  resolve(): void;
}

/**
 * @example
 * ```ts
 * const sink = server.sink<number>("results");
 * const firstTen = await sink.waitFor(10);
 * sink.values(); // everything received so far
 * ```
 */
export class MemorySink<T = unknown> implements SinkPlugin {
  private received: T[] = [];
  private waiters: Waiter[] = [];

  constructor(readonly name: string) {}

  accept(value: unknown): void {
    // A fixed-layout event is a flyweight reused for the next event: keep a plain copy.
    this.received.push((isFixedEvent(value) ? value.toObject() : value) as T);
    if (this.waiters.length > 0) this.waiters = this.waiters.filter((w) => (w.ready() ? (w.resolve(), false) : true));
  }

  /** A copy of the values received so far, in arrival order. */
  values(): T[] {
    return this.received.slice();
  }

  /** Number of values received so far. */
  get size(): number {
    return this.received.length;
  }

  /** Removes and returns everything received so far. */
  take(): T[] {
    const taken = this.received;
    this.received = [];
    return taken;
  }

  /**
   * Resolves with the first `count` values once that many arrived; rejects after `timeoutMs` saying how
   * many did.
   */
  waitFor(count: number, timeoutMs = 10_000): Promise<T[]> {
    return this.waitUntil((values) => values.length >= count, timeoutMs, `${count} values`).then((all) => all.slice(0, count));
  }

  /** Resolves with all values once `predicate(values)` holds; rejects after `timeoutMs`. */
  waitUntil(predicate: (values: readonly T[]) => boolean, timeoutMs = 10_000, description = "the condition"): Promise<T[]> {
    if (predicate(this.received)) return Promise.resolve(this.values());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`memory sink "${this.name}": waited ${timeoutMs} ms for ${description}, have ${this.received.length} values`));
      }, timeoutMs);
      const waiter: Waiter = {
        ready: () => predicate(this.received),
        resolve: () => {
          clearTimeout(timer);
          resolve(this.values());
        },
      };
      this.waiters.push(waiter);
    });
  }
}
