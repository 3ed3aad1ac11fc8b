/**
 * A custom agent-hosted feed: a random walk of prices for the symbols in its config, one step per duty
 * cycle, `count` prices per symbol, then it declares itself complete.
 */
import type { FeedContext, FeedPlugin, FeedStatus, PluginManifest } from "mongoose-server";

/** What this plugin declares: `/api/topology` shows it, and an engine with another plugin API major refuses it. */
export const mongoosePlugin: PluginManifest = { name: "price-walk-feed", version: "1.0.0", pluginApi: "1" };

export default class PriceWalkFeed implements FeedPlugin {
  private ctx!: FeedContext;
  private prices = new Map<string, number>();
  private remaining = 0;
  private step = 0;
  private seed = 1;

  init(ctx: FeedContext): void {
    this.ctx = ctx;
    const symbols = ctx.config.symbols as string[];
    for (const symbol of symbols) this.prices.set(symbol, 100);
    this.remaining = (ctx.config.count as number) * symbols.length;
    this.seed = (ctx.config.seed as number | undefined) ?? 1;
  }

  doWork(): number {
    if (this.remaining === 0) return 0;
    const symbols = [...this.prices.keys()];
    const symbol = symbols[this.step % symbols.length];
    const price = Math.round(this.prices.get(symbol)! * (1 + (this.random() - 0.5) / 50) * 100) / 100;
    if (!this.ctx.publish({ symbol, price, step: this.step })) return 0; // pre-start cache full: try again later
    this.prices.set(symbol, price);
    this.step++;
    if (--this.remaining === 0) this.ctx.complete();
    return 1;
  }

  status(): FeedStatus {
    return { connected: true, detail: `${this.remaining} prices to go` };
  }

  /** Deterministic, so the example's output is the same every run. */
  private random(): number {
    this.seed = (this.seed * 16807) % 2147483647;
    return this.seed / 2147483647;
  }
}
