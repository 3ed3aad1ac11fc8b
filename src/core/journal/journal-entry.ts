/**
 * What the journal reader yields: one entry per thing a handler's agent did to the handler, in order.
 *
 * @module
 */

/**
 * One journal record, as {@link readJournal} yields it. `clockNanos`/`epochMillis` are the handler's
 * `ctx.clock.nanos()`/`epochMillis()` read once at the moment of delivery.
 *
 * - `start`: the handler's `start` finished; `seed` seeds its `ctx.random()`, `config` is its configMap.
 * - `event`: `onEvent` was called with `value` and a meta of `feed`, `sequence` (its `sequenceNumber`),
 *   `publishedNanos` and `publishedEpochMillis` (its `publishedAt`). A fixed-layout event is recorded as
 *   its field values and read back as a plain object with those fields. A value that neither the
 *   generic codec nor JSON can represent (a cycle, say) is read back as `undefined`, with the reason in
 *   `unrecorded`.
 * - `timer`: a timer fired; `ordinal` k means the handler's k-th successful `ctx.scheduler.after/at/every`
 *   call (1-based); each firing of an `every` timer has its own record.
 * - `config`: a live config update was applied; `config` is the handler's whole configMap after it.
 *
 * @example
 * ```ts
 * for (const entry of readJournal("./journal", "pnl")) {
 *   if (entry.kind === "event") console.log(entry.feed, entry.sequence, entry.value);
 * }
 * ```
 */
export type JournalEntry =
  | { kind: "start"; seed: number; config: Record<string, unknown>; clockNanos: number; epochMillis: number }
  | {
    kind: "event";
    feed: string;
    sequence: number;
    publishedNanos: number;
    publishedEpochMillis: number;
    clockNanos: number;
    epochMillis: number;
    value: unknown;
    /** Only when the value could not be recorded: why. */
    unrecorded?: string;
  }
  | { kind: "timer"; ordinal: number; clockNanos: number; epochMillis: number }
  | { kind: "config"; config: Record<string, unknown>; clockNanos: number; epochMillis: number };
