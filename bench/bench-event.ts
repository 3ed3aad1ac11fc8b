/** The event every benchmark moves: a small trade-like object, as the generic codec would see in practice. */
export interface BenchEvent {
  id: number;
  sym: string;
  px: number;
  qty: number;
  side: string;
  /** Intended send time, server-clock nanoseconds. */
  t: number;
}

/** Builds event `id`, meant to be sent at `t`. */
export function benchEvent(id: number, t: number): BenchEvent {
  return { id, sym: "AAPL", px: 101.25 + (id % 100) / 100, qty: 100 + (id % 7), side: id % 2 === 0 ? "B" : "S", t };
}
