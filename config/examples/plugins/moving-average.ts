/** A handler: a moving average of the last `window` prices per symbol, sent to the sink "averages". */
import type { HandlerContext, Sink } from "mongoose-server";

interface Price {
  symbol: string;
  price: number;
  step: number;
}

export default class MovingAverage {
  private readonly windows = new Map<string, number[]>();
  private out!: Sink<unknown>;
  private size = 5;

  start(ctx: HandlerContext): void {
    this.size = ctx.config.window as number;
    this.out = ctx.sink("averages");
  }

  onEvent(event: unknown): void {
    const { symbol, price, step } = event as Price;
    const window = this.windows.get(symbol) ?? [];
    window.push(price);
    if (window.length > this.size) window.shift();
    this.windows.set(symbol, window);
    const average = window.reduce((sum, p) => sum + p, 0) / window.length;
    this.out.accept({ step, symbol, price, average: Math.round(average * 100) / 100 });
  }
}
