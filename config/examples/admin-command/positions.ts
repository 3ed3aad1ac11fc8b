import type { HandlerContext, Sink } from "mongoose-server";

type Trade = { symbol: string; quantity: number };

/**
 * Keeps a position per symbol from the trades it receives, and offers two admin commands:
 * `positions.show [symbol]` and `positions.reset <symbol>` (or `symbol=…`). They run on this handler's
 * agent between events, so they read and change its state without locks.
 */
export default class Positions {
  private readonly positions = new Map<string, number>();
  private booked!: Sink<Trade>;

  start(ctx: HandlerContext) {
    ctx.subscribe("trades");
    this.booked = ctx.sink("booked");
    ctx.registerCommand("positions.show", (args) => {
      const [symbol] = Array.isArray(args) ? args : [];
      if (typeof symbol === "string") return { [symbol]: this.positions.get(symbol) ?? 0 };
      return Object.fromEntries([...this.positions].sort(([a], [b]) => a.localeCompare(b)));
    }, { description: "net position per symbol, or for one symbol", usage: "positions.show [symbol]" });
    ctx.registerCommand("positions.reset", (args) => {
      // A command line passes ["AAPL"] or ["symbol=AAPL"]; an HTTP caller {symbol: "AAPL"}.
      const list = Array.isArray(args) ? args : [];
      const named = list.find((a) => typeof a === "string" && a.startsWith("symbol="));
      const symbol = typeof named === "string" ? named.slice("symbol=".length) : args && typeof args === "object" && !Array.isArray(args) ? args.symbol : list[0];
      if (typeof symbol !== "string") throw new Error("usage: positions.reset <symbol>");
      const was = this.positions.get(symbol) ?? 0;
      this.positions.delete(symbol);
      return { symbol, was };
    }, { description: "forgets the position of one symbol", usage: "positions.reset <symbol>" });
  }

  onEvent(trade: Trade) {
    this.positions.set(trade.symbol, (this.positions.get(trade.symbol) ?? 0) + trade.quantity);
    this.booked.accept(trade);
  }
}
