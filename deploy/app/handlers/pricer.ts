/**
 * The deployment example's handler: adds a fee to every trade `{id, qty, px}` it receives from the feeds
 * its configMap names and writes `{id, notional, fee}` to the sink `priced`.
 */
import type { EventMeta, Handler, HandlerContext, Sink } from "mongoose-server";

interface Trade {
  id: string;
  qty: number;
  px: number;
}

export default class Pricer implements Handler {
  private out!: Sink<{ id: string; notional: number; fee: number; feed: string }>;
  private feePercent = 0;

  start(ctx: HandlerContext): void {
    for (const feed of ctx.config.feeds as string[]) ctx.subscribe(feed);
    this.feePercent = Number(ctx.config.feePercent ?? 0);
    this.out = ctx.sink("priced");
  }

  onEvent(event: unknown, meta: EventMeta): void {
    const trade = event as Trade;
    const notional = trade.qty * trade.px;
    this.out.accept({ id: trade.id, notional, fee: (notional * this.feePercent) / 100, feed: meta.feed });
  }
}
