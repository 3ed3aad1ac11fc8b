import type { EventMeta, HandlerContext, Sink } from "mongoose-server";

interface Tick {
  tick: number;
}

/**
 * Ticks itself `ticks` times: a timer emits tick 1; each tick is written to the `ticks` sink and the next
 * one follows, alternately emitted at once with `ctx.emit` (a new event cycle after this one) and through
 * a `ctx.scheduler.after` timer that emits it. Then it stops ticking.
 */
export default class SelfTicker {
  private ctx!: HandlerContext;
  private out!: Sink<unknown>;
  private ticks = 0;
  private delayMs = 0;

  start(ctx: HandlerContext) {
    this.ctx = ctx;
    this.out = ctx.sink("ticks");
    this.ticks = ctx.requireNumber("ticks");
    this.delayMs = ctx.requireNumber("delayMs");
    ctx.scheduler.after(this.delayMs, () => ctx.emit({ tick: 1 }));
  }

  onEvent(event: Tick, meta: EventMeta) {
    // meta.feed is "@reentrant" for emitted events; sequenceNumber counts this handler's emits.
    this.out.accept({ tick: event.tick, feed: meta.feed, sequenceNumber: meta.sequenceNumber });
    if (event.tick === this.ticks) return;
    const next = { tick: event.tick + 1 };
    if (event.tick % 2 === 1) this.ctx.emit(next);
    else this.ctx.scheduler.after(this.delayMs, () => this.ctx.emit(next));
  }
}
