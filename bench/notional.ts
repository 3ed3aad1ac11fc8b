/**
 * The per-message work of the NATS pipeline benchmark, shared by the engine's handler and the plain
 * loop so both do exactly the same thing.
 *
 * @example
 * ```ts
 * toFill({ id: 1, symbol: "AAPL", px: 10, qty: 3 }); // { id: 1, symbol: "AAPL", notional: 30 }
 * ```
 *
 * @module
 */

/** An order as the benchmark publishes it. */
export interface Order {
  id: number;
  symbol: string;
  px: number;
  qty: number;
}

/** What each order becomes. */
export interface Fill {
  id: number;
  symbol: string;
  notional: number;
}

/**
 * The work: one multiplication and a new object (what a small real handler does).
 *
 * @example
 * ```ts
 * toFill(orderNumber(4)).notional; // ≈ 500.2 (100.04 × 5)
 * ```
 */
export const toFill = (order: Order): Fill => ({ id: order.id, symbol: order.symbol, notional: order.px * order.qty });

/**
 * The `i`-th order the benchmark publishes.
 *
 * @example
 * ```ts
 * orderNumber(4); // { id: 4, symbol: "MSFT", px: 100.04, qty: 5 }
 * ```
 */
export const orderNumber = (i: number): Order => ({ id: i, symbol: ["AAPL", "MSFT", "NVDA"][i % 3], px: 100 + (i % 1000) / 100, qty: 1 + (i % 50) });
