/**
 * Subscribes by name to the feed the ticker service publishes and writes each symbol's running average,
 * formatted by the agent-local formatter service.
 */
import type { HandlerContext, Sink } from "mongoose-server";
import type Formatter from "./formatter.ts";

interface Tick {
  symbol: string;
  price: number;
  round: number;
}

export default class Averager {
  private formatter!: Formatter;
  private out!: Sink<string>;
  private readonly sums = new Map<string, { total: number; count: number }>();

  init(ctx: HandlerContext): void {
    this.formatter = ctx.service<Formatter>("formatter"); // services are inited before handlers
  }

  start(ctx: HandlerContext): void {
    ctx.subscribe(ctx.config.feed as string);
    this.out = ctx.sink("averages");
  }

  onEvent(event: unknown): void {
    const { symbol, price, round } = event as Tick;
    const sum = this.sums.get(symbol) ?? { total: 0, count: 0 };
    sum.total += price;
    sum.count++;
    this.sums.set(symbol, sum);
    this.out.accept(this.formatter.line(symbol, round, price, sum.total / sum.count));
  }
}
