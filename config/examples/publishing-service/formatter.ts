/**
 * An agent-local service: one instance per agent with handlers, shared by every handler there and
 * returned synchronously by `ctx.service("formatter")`, already configured (it is inited first).
 */
import type { Service, ServiceContext } from "mongoose-server";

export default class Formatter implements Service {
  private decimals = 2;

  init(ctx: ServiceContext): void {
    this.decimals = ctx.config.decimals as number;
  }

  line(symbol: string, round: number, price: number, average: number): string {
    return `${round} ${symbol} ${price.toFixed(this.decimals)} avg ${average.toFixed(this.decimals)}`;
  }
}
