/**
 * The `ctx.clock` of a journaled handler in a live run. While a delivery runs (an event, a timer firing,
 * the start, a config update) it reads one value: the time recorded with that delivery's journal record.
 * A replay sets its clock to exactly that recorded time, so a handler that reads time only through
 * `ctx.clock` computes the same outputs live and in replay. Outside a delivery (e.g. after an `await`)
 * it reads its source, the live server clock or the data-driven clock of a `clock: replayRecords` feed.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";

/**
 * @example
 * ```ts
 * const clock = new JournalClock(serverClock);
 * const recorded = clock.hold(); // the journal record gets `recorded`
 * clock.nanos() === recorded;    // true until release()
 * clock.release();
 * ```
 */
export class JournalClock implements Clock {
  /** Deliveries under way: a duty cycle run from inside a handler (waiting for ring space) nests one. */
  private depth = 0;
  private heldNanos = 0;

  constructor(private source: Clock) {}

  /** Reads `clock` from now on (the handler subscribed to a `clock: replayRecords` feed). */
  follow(clock: Clock): void {
    this.source = clock;
  }

  /**
   * Reads the source once and holds that reading until the matching {@link JournalClock.release}; returns
   * it. A delivery nested in another (a duty cycle a handler runs while it waits for ring space) keeps the
   * outer reading: that is what the handler reads, so that is what its record must say.
   */
  hold(): number {
    if (this.depth++ === 0) this.heldNanos = this.source.nanos();
    return this.heldNanos;
  }

  /** Ends a delivery; after the outermost one, reads follow the source again. */
  release(): void {
    if (this.depth > 0) this.depth--;
  }

  nanos(): number {
    return this.depth > 0 ? this.heldNanos : this.source.nanos();
  }

  epochMillis(): number {
    return this.depth > 0 ? this.source.toEpochMillis(this.heldNanos) : this.source.epochMillis();
  }

  toEpochMillis(nanos: number): number {
    return this.source.toEpochMillis(nanos);
  }
}
