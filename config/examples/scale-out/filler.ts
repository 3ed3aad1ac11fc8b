/**
 * Fills each order: its notional goes to the `fills` NATS sink (subject `fills.<symbol>`), and a line
 * `{"id":…,"instance":…}` to this instance's own file, so you can see how the orders were split.
 */
import type { HandlerContext, Sink } from "mongoose-server";

interface Order {
  id: number;
  symbol: string;
  px: number;
  qty: number;
}

export default class Filler {
  private fills!: Sink<unknown>;
  private processed!: Sink<unknown>;
  private instance = "";

  start(ctx: HandlerContext) {
    ctx.subscribe("orders");
    this.fills = ctx.sink("fills");
    this.processed = ctx.sink("processed");
    this.instance = String(ctx.config.instance);
  }

  onEvent(order: Order) {
    this.fills.accept({ orderId: order.id, symbol: order.symbol, notional: order.px * order.qty, instance: this.instance });
    this.processed.accept({ id: order.id, instance: this.instance });
  }
}
