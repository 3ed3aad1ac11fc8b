/** Benchmark handler: counts events and reports the count and the time of the last one from stop(). */
import type { Clock, HandlerContext, Sink } from "../src/mod.ts";

export default class CountHandler {
  private clock!: Clock;
  private out!: Sink<unknown>;
  private count = 0;
  private lastAt = 0;
  start(ctx: HandlerContext) {
    this.clock = ctx.clock;
    this.out = ctx.sink("results");
  }
  onEvent() {
    this.count++;
    this.lastAt = this.clock.nanos();
  }
  stop() {
    this.out.accept({ count: this.count, lastAt: this.lastAt });
  }
}
