/**
 * Benchmark handler for bench/nats-pipeline.ts: the same small work the plain loop does per message
 * (an order's notional, `px × qty`), sent to the `fills` sink.
 */
import type { HandlerContext, Sink } from "../src/mod.ts";
import { type Order, toFill } from "./notional.ts";

export default class NotionalHandler {
  private out!: Sink<unknown>;
  start(ctx: HandlerContext) {
    ctx.subscribe("orders");
    this.out = ctx.sink("fills");
  }
  onEvent(order: Order) {
    this.out.accept(toFill(order));
  }
}
