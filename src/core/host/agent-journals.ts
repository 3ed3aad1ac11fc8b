/**
 * The journals of the journaled handlers on one agent, written out when the agent goes idle, but at most
 * once per {@link JOURNAL_IDLE_FLUSH_NANOS} each: a paced stream leaves the agent idle between most
 * events, and a write per idle cycle would cost a system call per event (5-30 µs here: at 100k events/s
 * the agent could not keep up). A parked agent wakes when a journal's records are due.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { JournalWriter } from "../journal/journal-writer.ts";

/** Records wait at most this long (server-clock nanoseconds) for an idle agent to write them: 1 ms. */
export const JOURNAL_IDLE_FLUSH_NANOS = 1_000_000;

/**
 * @example
 * ```ts
 * const journals = new AgentJournals(clock);
 * journals.add(writer);
 * journals.flushDue();          // when the agent goes idle
 * journals.millisToNextFlush(); // bounds the agent's park
 * ```
 */
export class AgentJournals {
  private readonly writers: JournalWriter[] = [];

  constructor(private readonly clock: Clock) {}

  /** Whether any handler here is journaled (the duty cycle tests this before anything else). */
  get size(): number {
    return this.writers.length;
  }

  add(writer: JournalWriter): void {
    this.writers.push(writer);
  }

  /** A closed writer leaves the list. */
  remove(writer: JournalWriter): void {
    const at = this.writers.indexOf(writer);
    if (at >= 0) this.writers.splice(at, 1);
  }

  /** Writes each journal whose oldest waiting record is due. */
  flushDue(): void {
    const now = this.clock.nanos();
    const writers = this.writers;
    for (let i = 0; i < writers.length; i++) {
      if (writers[i].waitingSince(now) >= JOURNAL_IDLE_FLUSH_NANOS) writers[i].flush();
    }
  }

  /** Milliseconds until a journal's waiting records are due (0 if overdue), or Infinity with none waiting. */
  millisToNextFlush(): number {
    const now = this.clock.nanos();
    let soonest = Infinity;
    for (const writer of this.writers) {
      const waited = writer.waitingSince(now);
      if (waited >= 0) soonest = Math.min(soonest, Math.max(0, (JOURNAL_IDLE_FLUSH_NANOS - waited) / 1e6));
    }
    return soonest;
  }
}
