/**
 * Edge-host example: the engine embedded in an HTTP function. Agents run inline (no Workers): a request
 * offers a trade, the VWAP handler computes, the response carries its quote.
 *
 *   PORT=8080 bun config/examples/edge/main.ts
 *   PORT=8080 deno run -A config/examples/edge/main.ts
 *   curl -d '{"symbol":"AAPL","price":190.5,"quantity":100}' http://127.0.0.1:8080/trades
 */
import process from "node:process";
import { FeedClosedError, MongooseServer } from "mongoose-server";
import { Replies, ReplyTimeoutError } from "./replies.ts";
import VwapQuoter, { type Quote, type Trade } from "./vwap.ts";

const REPLY_TIMEOUT_MS = 5_000;

const engine = await MongooseServer.boot({
  eventFeeds: [{ name: "trades", type: "memory" }],
  eventSinks: [{ name: "quotes", type: "memory" }],
  eventHandlers: [{
    agentName: "vwap-agent",
    // Waits asynchronously between requests: measured ~40 ms CPU per 10 s idle (Bun and Deno).
    idleStrategy: "blocking",
    eventHandlers: { vwap: { handler: VwapQuoter, configMap: { feed: "trades", sink: "quotes" } } },
  }],
}, { inline: true, logLevel: "warn" });

const replies = new Replies(engine.sink<Quote>("quotes"));
let lastRequestId = 0;

/** POST /trades with `{symbol, price, quantity}` → 200 with the symbol's quote, or 400 saying what is wrong. */
async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path !== "/trades") return reply(404, { error: `no route ${path}; POST /trades` });
  if (request.method !== "POST") return reply(405, { error: `${request.method} /trades: use POST` });
  const text = await request.text();
  const trade = parseTrade(text, ++lastRequestId);
  if (typeof trade === "string") return reply(400, { error: trade });
  const quote = replies.await(trade.requestId, REPLY_TIMEOUT_MS); // before offering: the handler may answer at once
  try {
    engine.offer("trades", trade);
  } catch (error) {
    replies.cancel(trade.requestId);
    if (error instanceof FeedClosedError) return reply(503, { error: "server is stopping" });
    throw error;
  }
  try {
    return reply(200, await quote);
  } catch (error) {
    if (error instanceof ReplyTimeoutError) return reply(504, { error: error.message });
    throw error;
  }
}

/** The trade in `text`, or what is wrong with it. */
function parseTrade(text: string, requestId: number): Trade | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return `body is not JSON (${(error as Error).message}); expected {"symbol": "AAPL", "price": 190.5, "quantity": 100}`;
  }
  const { symbol, price, quantity } = (body ?? {}) as Record<string, unknown>;
  if (typeof symbol !== "string" || symbol === "") return `"symbol" must be a non-empty string, got ${JSON.stringify(symbol)}`;
  if (typeof price !== "number" || !(price > 0) || !Number.isFinite(price)) return `"price" must be a positive number, got ${JSON.stringify(price)}`;
  if (typeof quantity !== "number" || !(quantity > 0) || !Number.isFinite(quantity)) return `"quantity" must be a positive number, got ${JSON.stringify(quantity)}`;
  return { requestId, symbol, price, quantity };
}

function reply(status: number, body: unknown): Response {
  return Response.json(body, { status });
}

/** A listening HTTP server, whichever runtime this is. */
interface Listener {
  url: string;
  /** Stops accepting connections; resolves once the requests in flight are answered. */
  close(): Promise<void>;
}

// The engine's runtime adapter is internal; an embedding program picks Bun.serve or Deno.serve itself.
function listen(hostname: string, port: number, fetch: (request: Request) => Promise<Response>): Promise<Listener> {
  const bun = (globalThis as { Bun?: { serve(options: object): { url: URL; stop(): Promise<void> } } }).Bun;
  if (bun) {
    const server = bun.serve({ hostname, port, fetch });
    return Promise.resolve({ url: server.url.href, close: () => server.stop() });
  }
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname,
      port,
      onListen: (address) => resolve({ url: `http://${address.hostname}:${address.port}/`, close: () => server.shutdown() }),
    }, fetch);
  });
}

const http = await listen(process.env.HOST ?? "127.0.0.1", Number(process.env.PORT ?? 8080), handle);
console.log(`listening on ${http.url}`);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: stopping`);
  const closed = http.close(); // no new connections; requests in flight still get their quotes
  const report = await engine.stop(); // drains the feed: every trade offered is quoted
  replies.close();
  await closed;
  console.log(`stopped: ${JSON.stringify(report)}`);
  process.exit(report.clean ? 0 : 1);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
