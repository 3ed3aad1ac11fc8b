/**
 * Demo handler: keeps a volume-weighted average price per symbol and reports every `reportEvery` trades.
 * It imports only types from the engine, like any user handler.
 *
 * @module
 */
import type { EventMeta, HandlerContext, Sink } from "../core/handler-api.ts";

interface Trade {
  symbol: string;
  price: number;
  quantity: number;
}

export default class VwapCalculator {
  private readonly totals = new Map<string, { notional: number; volume: number; trades: number }>();
  private out!: Sink<string>;
  private reportEvery = 10;
  private seen = 0;

  start(ctx: HandlerContext): void {
    this.out = ctx.sink("console");
    this.reportEvery = Number(ctx.config.reportEvery ?? 10);
    ctx.log.info("vwap calculator started", { reportEvery: this.reportEvery });
  }

  onEvent(event: unknown, meta: EventMeta): void {
    const trade = event as Trade;
    const total = this.totals.get(trade.symbol) ?? { notional: 0, volume: 0, trades: 0 };
    total.notional += trade.price * trade.quantity;
    total.volume += trade.quantity;
    total.trades++;
    this.totals.set(trade.symbol, total);
    if (++this.seen % this.reportEvery === 0) {
      const summary = [...this.totals].map(([symbol, t]) => `${symbol} ${(t.notional / t.volume).toFixed(2)} (${t.trades})`).join("  ");
      this.out.accept(`#${meta.sequenceNumber} vwap  ${summary}`);
    }
  }
}
