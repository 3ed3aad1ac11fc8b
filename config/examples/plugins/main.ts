/**
 * Plugins example: a custom feed (price-walk-feed.ts) on its own agent, a handler, and a custom sink
 * (csv-sink.ts) writing data-out/averages.csv next to this file.
 *
 *   bun config/examples/plugins/main.ts
 *   deno run -A config/examples/plugins/main.ts
 */
import { MongooseServer } from "mongoose-server";

const output = new URL("./data-out/averages.csv", import.meta.url).pathname;
const server = await MongooseServer.boot({
  eventFeeds: [{
    name: "prices",
    type: "module",
    module: "./price-walk-feed.ts",
    config: { symbols: ["AAPL", "MSFT"], count: 10, seed: 7 },
    agentName: "market-agent",
    broadcast: true,
  }],
  eventSinks: [{
    name: "averages",
    type: "module",
    module: "./csv-sink.ts",
    config: { filename: output, columns: ["step", "symbol", "price", "average"] },
    agentName: "market-agent",
  }],
  eventHandlers: [{ agentName: "analytics", eventHandlers: { average: { handler: "./moving-average.ts", configMap: { window: 3 } } } }],
}, { baseDir: import.meta.dirname, logLevel: "warn" });

while (!(await server.feedStatus()).every((feed) => feed.completed)) await new Promise((resolve) => setTimeout(resolve, 10));
await server.stop();
console.log(`wrote ${output}`);
