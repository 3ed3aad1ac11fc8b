/** Boots app.yaml embedded, prints the 20 ticks as JSON lines once they are in, and stops. */
import { fileURLToPath } from "node:url";
import { MongooseServer } from "../../../src/mod.ts";

const server = await MongooseServer.bootYamlFile(fileURLToPath(new URL("app.yaml", import.meta.url)), { logLevel: "warn" });
for (const tick of await server.sink("ticks").waitFor(20)) console.log(JSON.stringify(tick));
const report = await server.stop();
console.log(`events delivered to the handler: ${server.counter("handler_events_total", { handler: "self-ticker" })}, stopped clean: ${report.clean}`);
