/**
 * Admin command example: a handler registers commands; the embedding program lists and runs them,
 * sees the typed errors, and stops the server with `quit`.
 *
 *   bun config/examples/admin-command/main.ts
 *   deno run -A config/examples/admin-command/main.ts
 */
import { CommandError, MongooseServer } from "mongoose-server";

const server = await MongooseServer.boot({
  eventFeeds: [{ name: "trades", type: "memory" }],
  eventSinks: [{ name: "booked", type: "memory" }],
  eventHandlers: [{ agentName: "book-agent", idleStrategy: "blocking", eventHandlers: { positions: { handler: "./positions.ts" } } }],
}, { baseDir: import.meta.dirname, logLevel: "warn" });

server.offer("trades", { symbol: "AAPL", quantity: 10 });
server.offer("trades", { symbol: "MSFT", quantity: 5 });
server.offer("trades", { symbol: "AAPL", quantity: -4 });
await server.sink("booked").waitFor(3);

const show = (value: unknown) => console.log(JSON.stringify(value));
show(server.commands().filter((c) => c.owner !== "built-in").map((c) => c.usage));
show(await server.command("positions.show"));
show(await server.command("positions.reset", ["symbol=AAPL"])); // command-line style
show(await server.command("positions.show", ["AAPL"]));
for (const [name, args] of [["positions.rest", ["MSFT"]], ["positions.reset", []]] as const) {
  try {
    await server.command(name, [...args]);
  } catch (error) {
    if (!(error instanceof CommandError)) throw error;
    show({ kind: error.kind, message: error.message });
  }
}
show(await server.command("quit")); // answers first, then the server drains and stops
show({ clean: (await server.stop()).clean }); // the report of the stop quit started
