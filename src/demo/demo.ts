/**
 * The built-in demo (`mongoose run` with no file, `npm start`): a memory feed of random trades, a VWAP
 * handler on its own worker agent, and a console sink. Needs nothing outside the program.
 *
 * @module
 */
import type { MongooseConfig } from "../config/schema.ts";
import { DEMO_HANDLER_URL } from "../entry-urls.ts";
import type { MongooseServer } from "../server.ts";

/** The demo configuration; the handler module ships with the program. */
export function demoConfig(): MongooseConfig {
  return {
    idleStrategy: "blocking",
    eventFeeds: [{ name: "trades", type: "memory", broadcast: true }],
    eventSinks: [{ name: "console", type: "console" }],
    eventHandlers: [{
      agentName: "vwap-agent",
      eventHandlers: { vwap: { handler: DEMO_HANDLER_URL, configMap: { reportEvery: 20 } } },
    }],
  };
}

const SYMBOLS = [["AAPL", 190], ["MSFT", 420], ["NVDA", 120], ["TSLA", 250]] as const;

/** Offers a random trade every `periodMs` until the returned function is called. */
export function startDemoTrades(server: MongooseServer, periodMs = 50): () => void {
  const prices = new Map<string, number>(SYMBOLS);
  const timer = setInterval(() => {
    const [symbol] = SYMBOLS[Math.floor(Math.random() * SYMBOLS.length)];
    const price = prices.get(symbol)! * (1 + (Math.random() - 0.5) / 100);
    prices.set(symbol, price);
    server.offer("trades", { symbol, price: Math.round(price * 100) / 100, quantity: 1 + Math.floor(Math.random() * 100) });
  }, periodMs);
  return () => clearInterval(timer);
}
