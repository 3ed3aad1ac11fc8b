/**
 * The order of a replay across handlers: each handler's records in their journal order, and between
 * handlers by recorded wall-clock time, ties broken by handler name. Live, handlers on different agents
 * interleave as their threads happen to run; this order is a deterministic stand-in for it, so that
 * replaying one journal twice writes a shared sink in the same order both times.
 *
 * @module
 */

/** One handler's records, in journal order. */
export interface RecordSource<R> {
  name: string;
  records: Iterable<R>;
}

/**
 * Merges handlers' record streams lazily (one record of each is held at a time, so a journal of any size
 * streams). With a few handlers a linear scan for the earliest head is cheaper than a heap.
 *
 * @example
 * ```ts
 * const merged = mergeByRecordedTime([{ name: "b", records: [{ epochMillis: 1 }] }, { name: "a", records: [{ epochMillis: 1 }] }]);
 * [...merged].map((r) => r.source); // ["a", "b"]: same time, so by name
 * ```
 */
export function* mergeByRecordedTime<R extends { epochMillis: number }>(sources: RecordSource<R>[]): Generator<{ source: string; record: R }> {
  const heads = [...sources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((source) => {
    const iterator = source.records[Symbol.iterator]();
    return { name: source.name, iterator, next: iterator.next() };
  });
  for (;;) {
    let earliest = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i].next;
      if (head.done) continue;
      // Strictly earlier wins, so on a tie the handler first by name (earlier in `heads`) keeps it.
      if (earliest < 0 || head.value.epochMillis < (heads[earliest].next.value as R).epochMillis) earliest = i;
    }
    if (earliest < 0) return;
    const head = heads[earliest];
    const record = head.next.value as R;
    head.next = head.iterator.next();
    yield { source: head.name, record };
  }
}
