import type { HandlerContext, Sink } from "mongoose-server";

/**
 * A trade as the HTTP layer offers it: `requestId` ties the quote back to the request.
 *
 * @example
 * ```ts
 * const trade: Trade = { requestId: 1, symbol: "AAPL", price: 190.5, quantity: 100 };
 * ```
 */
export interface Trade {
  requestId: number;
  symbol: string;
  price: number;
  quantity: number;
}

/**
 * The running VWAP of the trade's symbol, including that trade.
 *
 * @example
 * ```ts
 * const quote: Quote = { requestId: 1, symbol: "AAPL", trade: { price: 190.5, quantity: 100 }, vwap: 190.5, volume: 100, trades: 1 };
 * ```
 */
export interface Quote {
  requestId: number;
  symbol: string;
  trade: { price: number; quantity: number };
  vwap: number;
  volume: number;
  trades: number;
}

/**
 * Keeps a running volume-weighted average price per symbol (sum of price × quantity over sum of
 * quantity) and answers every trade with its symbol's VWAP so far on the sink `configMap.sink`.
 * State is per handler, and a handler only ever runs on its agent, so no locking is needed.
 *
 * @example
 * ```ts
 * eventHandlers: { vwap: { handler: VwapQuoter, configMap: { feed: "trades", sink: "quotes" } } }
 * ```
 */
export default class VwapQuoter {
  private readonly bySymbol = new Map<string, { notional: number; volume: number; trades: number }>();
  private out!: Sink<Quote>;

  start(ctx: HandlerContext) {
    ctx.subscribe(ctx.config.feed as string);
    this.out = ctx.sink(ctx.config.sink as string);
  }

  onEvent(event: unknown) {
    const { requestId, symbol, price, quantity } = event as Trade;
    const state = this.bySymbol.get(symbol) ?? { notional: 0, volume: 0, trades: 0 };
    state.notional += price * quantity;
    state.volume += quantity;
    state.trades += 1;
    this.bySymbol.set(symbol, state);
    this.out.accept({ requestId, symbol, trade: { price, quantity }, vwap: state.notional / state.volume, volume: state.volume, trades: state.trades });
  }
}
