/**
 * A worker service that publishes prices: one tick per duty cycle on its own agent, `count` ticks per
 * symbol, on the feed `ticks` it declares in `publishes`. Deterministic, so every run writes the same.
 */
import type { Service, ServiceContext } from "mongoose-server";

export default class Ticker implements Service {
  private ctx!: ServiceContext;
  private symbols: string[] = [];
  private step = 0;
  private total = 0;

  init(ctx: ServiceContext): void {
    this.ctx = ctx;
    this.symbols = ctx.config.symbols as string[];
    this.total = (ctx.config.count as number) * this.symbols.length;
  }

  doWork(): number {
    if (this.step === this.total) return 0;
    const symbol = this.symbols[this.step % this.symbols.length];
    const round = Math.floor(this.step / this.symbols.length);
    const price = 100 + 10 * (this.step % this.symbols.length) + (round % 3) - 1;
    // false once the server is stopping: nothing was sent, and nothing more needs to be.
    if (!this.ctx.publish("ticks", { symbol, price, round })) return 0;
    this.step++;
    return 1;
  }
}
