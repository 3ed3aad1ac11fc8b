/**
 * A clock that reads the same on every thread of one server.
 *
 * On Bun and Deno `performance.now()` (and `hrtime`, `Bun.nanoseconds`) count from each worker's own start,
 * so raw readings from two threads cannot be subtracted. Every thread instead adds the difference between
 * its own `performance.timeOrigin` and the supervisor's to its fine-grained `performance.now()`.
 * Timestamps stay small numbers (time since the server's epoch), so a float64 keeps nanosecond
 * resolution. `timeOrigin` alone agrees across threads to about 1 µs; the supervisor then measures each
 * worker's residual offset by ping-pong (`clock-calibration.ts`) and the worker corrects by it.
 *
 * @module
 */

/** Reads time for handlers and the engine. */
export interface Clock {
  /** Nanoseconds since the server's epoch; comparable across all threads of the server. */
  nanos(): number;
  /** Wall-clock milliseconds since 1970 (with a sub-millisecond fraction). */
  epochMillis(): number;
  /** Converts a {@link Clock.nanos} reading into wall-clock milliseconds since 1970. */
  toEpochMillis(nanos: number): number;
}

/**
 * The server clock. The supervisor creates it with its own `performance.timeOrigin` as the epoch and hands
 * that number to every agent, which builds its own instance from it.
 *
 * @example
 * ```ts
 * const clock = new ServerClock(performance.timeOrigin);
 * const t0 = clock.nanos();
 * // ... in another worker: new ServerClock(sameEpoch).nanos() - t0 is the elapsed time
 * ```
 */
export class ServerClock implements Clock {
  private offsetMs: number;

  /** @param epochOriginMs the supervisor's `performance.timeOrigin` (wall-clock ms of the epoch). */
  constructor(readonly epochOriginMs: number) {
    this.offsetMs = performance.timeOrigin - epochOriginMs;
  }

  nanos(): number {
    return (performance.now() + this.offsetMs) * 1e6;
  }

  epochMillis(): number {
    return this.epochOriginMs + this.offsetMs + performance.now();
  }

  toEpochMillis(nanos: number): number {
    return this.epochOriginMs + nanos / 1e6;
  }

  /** Corrects this clock by a measured offset (nanoseconds it read ahead of the supervisor's). */
  correct(offsetNanos: number): void {
    this.offsetMs -= offsetNanos / 1e6;
  }
}
