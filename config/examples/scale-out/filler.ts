/**
 * Fills each order: its notional goes to the `fills` NATS sink (subject `fills.<symbol>`), and a line
 * `{"id":…,"instance":…}` to this instance's own file, so you can see how the orders were split.
 * `configMap.workMicros` (default 0) spends that long on each order, like a CPU-heavy handler: a slow
 * instance holds more pulled, unacked orders, which a failover then redelivers.
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
  private workNanos = 0;
  private clock!: HandlerContext["clock"];

  start(ctx: HandlerContext) {
    ctx.subscribe("orders");
    this.fills = ctx.sink("fills");
    this.processed = ctx.sink("processed");
    this.instance = String(ctx.config.instance);
    this.workNanos = Number(ctx.config.workMicros ?? 0) * 1000;
    this.clock = ctx.clock;
  }

  onEvent(order: Order) {
    if (this.workNanos > 0) for (const until = this.clock.nanos() + this.workNanos; this.clock.nanos() < until;);
    this.fills.accept({ orderId: order.id, symbol: order.symbol, notional: order.px * order.qty, instance: this.instance });
    this.processed.accept({ id: order.id, instance: this.instance });
  }
}
