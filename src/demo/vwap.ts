/**
 * The demo's handler: on every heartbeat it makes up a trade (a seeded random walk per symbol, so runs
 * repeat), keeps a volume-weighted average price per symbol, and every `reportEvery` trades sends a
 * summary line to the sink "console". It imports only types from the engine, like any user handler.
 *
 * @module
 */
import type { EventMeta, HandlerContext, Sink } from "../core/handler-api.ts";

interface Totals {
  price: number;
  notional: number;
  volume: number;
  trades: number;
}

export default class VwapCalculator {
  private readonly totals = new Map<string, Totals>();
  private symbols: string[] = [];
  private out!: Sink<string>;
  private reportEvery = 20;
  private seed = 42;

  start(ctx: HandlerContext): void {
    this.out = ctx.sink("console");
    this.reportEvery = Number(ctx.config.reportEvery ?? 20);
    this.symbols = (ctx.config.symbols as string[] | undefined) ?? ["AAPL", "MSFT"];
    for (const [i, symbol] of this.symbols.entries()) this.totals.set(symbol, { price: 100 + 50 * i, notional: 0, volume: 0, trades: 0 });
    ctx.log.info("vwap calculator started", { symbols: this.symbols.join(","), reportEvery: this.reportEvery });
  }

  onEvent(_heartbeat: unknown, meta: EventMeta): void {
    const symbol = this.symbols[Math.floor(this.random() * this.symbols.length)];
    const totals = this.totals.get(symbol)!;
    totals.price = Math.round(totals.price * (1 + (this.random() - 0.5) / 100) * 100) / 100;
    const quantity = 1 + Math.floor(this.random() * 100);
    totals.notional += totals.price * quantity;
    totals.volume += quantity;
    totals.trades++;
    if (meta.sequenceNumber % this.reportEvery === 0) {
      const summary = [...this.totals].map(([name, t]) => `${name} ${t.volume ? (t.notional / t.volume).toFixed(2) : "-"} (${t.trades})`).join("  ");
      this.out.accept(`#${meta.sequenceNumber} vwap  ${summary}`);
    }
  }

  /** A small deterministic generator (Park–Miller). */
  private random(): number {
    this.seed = (this.seed * 16807) % 2147483647;
    return this.seed / 2147483647;
  }
}
