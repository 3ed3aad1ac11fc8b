/**
 * What `tracing:` costs over NATS: the NATS pipeline benchmark's engine side (JetStream orders → `type:
 * nats` feed → handler on its own agent → `type: nats` sink, acked; see nats-pipeline.ts) with tracing
 * off (no `tracing:` key, orders without headers), propagating (`tracing: {}`, every order with a
 * sampled `traceparent`), and exporting (`tracing: {otlpEndpoint}` to a local OTLP/HTTP receiver, two
 * spans per order), the three modes alternating within each run. Prints one JSON object of medians.
 *
 *   bun bench/nats-tracing-cost.ts [--messages 50000] [--runs 3]
 *   deno run -A bench/nats-tracing-cost.ts …
 *
 * Results: bench/results/tracing-overhead.md.
 *
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { connect, headers } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { median } from "./child-runs.ts";
import { engineRun, freshStreams, measured, OUTPUT, publishOrders } from "./nats-pipeline.ts";
import { NatsServer } from "../test/nats/nats-server.ts";
import { OtlpReceiver } from "../test/nats/otlp-receiver.ts";
import { runtime } from "../src/runtime/mod.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { messages: { type: "string", default: "50000" }, runs: { type: "string", default: "3" } },
});
const messages = Number(values.messages);
const nats = await NatsServer.start();
const receiver = await OtlpReceiver.start();
const connection = await connect({ servers: nats.url });
const dir = mkdtempSync(join(tmpdir(), "mongoose-tracing-bench-"));
const traced = headers();
traced.set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
const modes = {
  off: { yaml: [] as string[], headers: undefined },
  propagate: { yaml: ["tracing: {}"], headers: traced },
  export: { yaml: [`tracing: {otlpEndpoint: "${receiver.endpoint}"}`], headers: traced },
};
const perSecond: Record<keyof typeof modes, number[]> = { off: [], propagate: [], export: [] };
try {
  const manager = await jetstreamManager(connection);
  for (let run = 1; run <= Number(values.runs); run++) {
    for (const [mode, setup] of Object.entries(modes) as [keyof typeof modes, (typeof modes)[keyof typeof modes]][]) {
      await freshStreams(manager);
      await publishOrders(connection, manager, messages, setup.headers);
      await engineRun(nats.url, manager, messages, 1024, join(dir, `${mode}-${run}.yaml`), setup.yaml);
      perSecond[mode].push((await measured(manager, OUTPUT.engine, messages)).perSecond);
      console.error(`${runtime.name} run ${run}: tracing ${mode} ${Math.round(perSecond[mode].at(-1)!)} msg/s`);
    }
  }
} finally {
  await connection.close();
  await nats.stop();
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
}
const medians = Object.fromEntries(Object.entries(perSecond).map(([mode, rates]) => [mode, Math.round(median(rates))]));
console.log(JSON.stringify({
  runtime: runtime.name, version: runtime.version, messages, runs: Number(values.runs), medianPerSecond: medians,
  propagateRatio: medians.propagate / medians.off, exportRatio: medians.export / medians.off, spansReceived: receiver.spans.length,
}));
process.exit(0);
