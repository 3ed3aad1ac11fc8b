/**
 * Benchmark handler: counts events; when the count reaches `configMap.expected` it notes the time (one
 * clock read, not one per event: a read costs ~60 ns here) and reports `{count, lastAt}` from stop().
 */
import type { Clock, HandlerContext, Sink } from "../src/mod.ts";

export default class CountHandler {
  private clock!: Clock;
  private out!: Sink<unknown>;
  private expected = 0;
  private count = 0;
  private lastAt = 0;
  start(ctx: HandlerContext) {
    this.clock = ctx.clock;
    this.out = ctx.sink("results");
    this.expected = ctx.config.expected as number;
  }
  onEvent() {
    if (++this.count === this.expected) this.lastAt = this.clock.nanos();
  }
  stop() {
    this.out.accept({ count: this.count, lastAt: this.lastAt });
  }
}
