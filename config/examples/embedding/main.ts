/**
 * Embedding example: boot a server from a config object, push orders in, read priced orders out.
 *
 *   bun config/examples/embedding/main.ts
 *   deno run -A config/examples/embedding/main.ts
 */
import { MongooseServer } from "mongoose-server";

const server = await MongooseServer.boot({
  eventFeeds: [
    { name: "orders", type: "memory" },
    { name: "prices", type: "memory", broadcast: true },
  ],
  eventSinks: [{ name: "priced-orders", type: "memory" }],
  eventHandlers: [{
    agentName: "pricing-agent",
    idleStrategy: "blocking",
    eventHandlers: { pricer: { handler: "./pricer.ts", configMap: { currency: "USD" } } },
  }],
}, { baseDir: import.meta.dirname, logLevel: "warn" });

server.offer("prices", { symbol: "AAPL", price: 190.25 });
server.offer("prices", { symbol: "MSFT", price: 421.5 });
server.offer("orders", { id: 1, symbol: "AAPL", quantity: 10 });
server.offer("orders", { id: 2, symbol: "MSFT", quantity: 3 });
server.offer("orders", { id: 3, symbol: "NVDA", quantity: 7 });

const pricedOrders = server.sink<{ id: number }>("priced-orders");
await pricedOrders.waitFor(2); // AAPL and MSFT; NVDA has no price and waits
await server.stop(); // the pricer's stop() reports the order still waiting
for (const order of pricedOrders.values().sort((a, b) => a.id - b.id)) console.log(JSON.stringify(order));
