import type { EventMeta, HandlerContext, Sink } from "mongoose-server";

interface Price {
  symbol: string;
  price: number;
}
interface Order {
  id: number;
  symbol: string;
  quantity: number;
}

/**
 * Prices orders (named feed "orders") with the latest price of their symbol (broadcast feed "prices").
 * Feeds are ordered each on its own, not against each other, so an order may arrive before its price:
 * it waits until the price comes. Orders still unpriced when the server stops are sent out as errors.
 */
export default class Pricer {
  private readonly prices = new Map<string, number>();
  private readonly waiting: Order[] = [];
  private out!: Sink<unknown>;
  private currency = "";

  start(ctx: HandlerContext) {
    ctx.subscribe("orders");
    this.out = ctx.sink("priced-orders");
    this.currency = ctx.config.currency as string;
  }

  onEvent(event: unknown, meta: EventMeta) {
    if (meta.feed === "prices") {
      const { symbol, price } = event as Price;
      this.prices.set(symbol, price);
      for (const order of this.waiting.filter((o) => o.symbol === symbol)) this.price(order);
      return;
    }
    this.price(event as Order);
  }

  stop() {
    for (const order of this.waiting.splice(0)) this.out.accept({ ...order, error: `no price for ${order.symbol}` });
  }

  private price(order: Order) {
    const price = this.prices.get(order.symbol);
    const index = this.waiting.indexOf(order);
    if (price === undefined) {
      if (index < 0) this.waiting.push(order);
      return;
    }
    if (index >= 0) this.waiting.splice(index, 1);
    this.out.accept({ ...order, notional: price * order.quantity, currency: this.currency });
  }
}
