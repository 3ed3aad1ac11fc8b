/**
 * A clock driven by data instead of time: it reads what it was last set to (a journal record's recorded
 * time, or a replay record's `wallClockTime`), so a handler that reads time only through `ctx.clock`
 * sees the same times however fast or slow the records are fed.
 *
 * @module
 */
import type { Clock } from "./clock.ts";

/**
 * @example
 * ```ts
 * const clock = new DataDrivenClock(server.epochOriginMs);
 * clock.setEpochMillis(1_767_225_600_000); // a replay record's wallClockTime
 * clock.epochMillis(); // 1767225600000, until set again
 * ```
 */
export class DataDrivenClock implements Clock {
  private currentNanos = 0;
  private currentEpochMillis: number;

  /** @param epochOriginMs wall-clock ms of the server clock's epoch (nanos() counts from it). */
  constructor(readonly epochOriginMs: number) {
    this.currentEpochMillis = epochOriginMs;
  }

  /** Sets both readings as recorded (a journal keeps both, so replay returns exactly what live returned). */
  set(nanos: number, epochMillis: number): void {
    this.currentNanos = nanos;
    this.currentEpochMillis = epochMillis;
  }

  /** Sets the wall-clock time; nanos() follows it on the server clock's scale. */
  setEpochMillis(epochMillis: number): void {
    this.currentEpochMillis = epochMillis;
    this.currentNanos = (epochMillis - this.epochOriginMs) * 1e6;
  }

  nanos(): number {
    return this.currentNanos;
  }

  epochMillis(): number {
    return this.currentEpochMillis;
  }

  toEpochMillis(nanos: number): number {
    return this.currentEpochMillis + (nanos - this.currentNanos) / 1e6;
  }
}
