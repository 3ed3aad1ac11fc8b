/**
 * Publishes orders into the ORDERS stream (creating it, and the FILLS stream the fills go to, if they
 * are missing), then prints how many. Run it from this repository (it uses its @nats-io client):
 *
 *   bun config/examples/scale-out/publish.ts [--count 1000] [--from 0] [--url nats://127.0.0.1:4222]
 *   deno run -A config/examples/scale-out/publish.ts …
 *
 * Order `i` is `{"id": i, "symbol": …, "px": …, "qty": …}` on subject `orders.<symbol>`, published with
 * the message id `order-<i>`, so publishing the same range twice stores each order once.
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN"];
/** Acks awaited together: enough to keep the link busy, few enough to bound what is in flight. */
const WINDOW = 256;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { count: { type: "string", default: "1000" }, from: { type: "string", default: "0" }, url: { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" } },
});
const count = Number(values.count);
const from = Number(values.from);
if (!Number.isInteger(count) || count < 0 || !Number.isInteger(from) || from < 0) {
  console.error(`--count and --from must be whole numbers ≥ 0, got --count ${values.count} --from ${values.from}`);
  process.exit(2);
}

const connection = await connect({ servers: values.url });
const manager = await jetstreamManager(connection);
await ensureStream(manager, "ORDERS", "orders.>");
await ensureStream(manager, "FILLS", "fills.>");
const js = manager.jetstream();
let acks: Promise<unknown>[] = [];
for (let id = from; id < from + count; id++) {
  const symbol = SYMBOLS[id % SYMBOLS.length];
  const order = { id, symbol, px: 100 + (id % 100) / 4, qty: 1 + (id % 10) };
  acks.push(js.publish(`orders.${symbol}`, JSON.stringify(order), { msgID: `order-${id}` }));
  if (acks.length === WINDOW) {
    await Promise.all(acks);
    acks = [];
  }
}
await Promise.all(acks);
await connection.close();
console.log(`published ${count} orders (ids ${from} to ${from + count - 1}) to ${values.url}`);

/** Creates the stream over `subject` (file storage) unless it exists. */
async function ensureStream(manager: JetStreamManager, name: string, subject: string): Promise<void> {
  try {
    await manager.streams.info(name);
  } catch {
    await manager.streams.add({ name, subjects: [subject] });
  }
}
