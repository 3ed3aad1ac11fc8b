/**
 * NATS pipeline benchmark: JetStream orders → `type: nats` feed → handler (notional = px × qty) → `type:
 * nats` sink (JetStream publish, acked) on loopback, against, in the same run, a plain program doing the
 * same in one process with the @nats-io client: a durable pull consumer, the same work, a JetStream
 * publish, and the input acked once its output is acked (the engine's delivery guarantee).
 *
 *   bun bench/nats-pipeline.ts [--messages 200000] [--runs 3] [--json]
 *   deno run -A bench/nats-pipeline.ts …
 *
 * It starts its own `nats-server -js` (Debian's binary must be on PATH) with file storage in a temporary
 * folder. Each run publishes `--messages` orders into a fresh stream, then the plain loop consumes them
 * with its durable, then `mongoose run` (the CLI, as users run it, on the runtime running this script)
 * with its own durable on the same stream. Throughput is the number of outputs over the time between
 * the first and the last output stored in each output stream (JetStream's own timestamps), so boot,
 * connecting and consumer creation are not counted for either side. Counts are checked: each side must
 * store exactly `--messages` outputs.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connect, type MsgHdrs, nanos, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { median } from "./child-runs.ts";
import { type Order, orderNumber, toFill } from "./notional.ts";
import { NatsServer } from "../test/nats/nats-server.ts";
import { runtimeCommand, start } from "../test/process.ts";
import { runtime } from "../src/runtime/mod.ts";

/** Options of one benchmark. */
export interface NatsPipelineOptions {
  messages: number;
  runs: number;
  /** The feed's `maxAckPending` and the plain consumer's `max_ack_pending` (default 1024). */
  maxAckPending?: number;
  /** Progress lines (one per measurement); the CLI prints them to stderr. */
  onProgress?: (line: string) => void;
}

/** One side of one run. */
export interface PipelineRun {
  /** Outputs stored in the side's output stream. */
  outputs: number;
  /** Outputs per second between the first and the last stored output. */
  perSecond: number;
}

/** What a benchmark found. */
export interface NatsPipelineReport {
  runtime: string;
  version: string;
  messages: number;
  maxAckPending: number;
  plain: PipelineRun[];
  engine: PipelineRun[];
  plainMedianPerSecond: number;
  engineMedianPerSecond: number;
  /** engine ÷ plain, of the medians. */
  ratio: number;
}

const INPUT = "BENCH_IN";
export const OUTPUT = { plain: "BENCH_OUT_PLAIN", engine: "BENCH_OUT_ENGINE" } as const;
const HANDLER = fileURLToPath(new URL("./notional-handler.ts", import.meta.url));
const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));

/**
 * Runs the benchmark against a nats-server it starts and stops itself.
 *
 * @example
 * ```ts
 * const report = await natsPipeline({ messages: 1000, runs: 1 });
 * console.log(report.engine[0].outputs); // 1000
 * ```
 */
export async function natsPipeline(options: NatsPipelineOptions): Promise<NatsPipelineReport> {
  const maxAckPending = options.maxAckPending ?? 1024;
  const progress = options.onProgress ?? (() => {});
  const nats = await NatsServer.start();
  const connection = await connect({ servers: nats.url });
  const dir = mkdtempSync(join(tmpdir(), "mongoose-nats-bench-"));
  const plain: PipelineRun[] = [];
  const engine: PipelineRun[] = [];
  try {
    const manager = await jetstreamManager(connection);
    for (let run = 1; run <= options.runs; run++) {
      await freshStreams(manager);
      await publishOrders(connection, manager, options.messages);
      await plainLoop(connection, manager, options.messages, maxAckPending);
      plain.push(await measured(manager, OUTPUT.plain, options.messages));
      progress(`${runtime.name} run ${run}: plain loop ${rate(plain.at(-1)!)}`);
      await engineRun(nats.url, manager, options.messages, maxAckPending, join(dir, `run${run}.yaml`));
      engine.push(await measured(manager, OUTPUT.engine, options.messages));
      progress(`${runtime.name} run ${run}: engine ${rate(engine.at(-1)!)}`);
    }
  } finally {
    await connection.close();
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const plainMedianPerSecond = median(plain.map((r) => r.perSecond));
  const engineMedianPerSecond = median(engine.map((r) => r.perSecond));
  return {
    runtime: runtime.name, version: runtime.version, messages: options.messages, maxAckPending, plain, engine,
    plainMedianPerSecond, engineMedianPerSecond, ratio: engineMedianPerSecond / plainMedianPerSecond,
  };
}

const rate = (run: PipelineRun) => `${Math.round(run.perSecond).toLocaleString("en-US")} msg/s (${run.outputs} outputs)`;

/** Deletes and recreates the input stream and both output streams (file storage, the server's default). */
export async function freshStreams(manager: JetStreamManager): Promise<void> {
  const existing = new Set<string>();
  for await (const name of manager.streams.names()) existing.add(name);
  for (const [name, subject] of [[INPUT, "bench.in"], [OUTPUT.plain, "bench.plain.>"], [OUTPUT.engine, "bench.engine.>"]]) {
    if (existing.has(name)) await manager.streams.delete(name);
    await manager.streams.add({ name, subjects: [subject] });
  }
}

/**
 * Publishes the orders (core publish, the stream captures them) and waits until the stream holds them all;
 * with `headers`, each order carries them (e.g. a `traceparent`).
 */
export async function publishOrders(connection: NatsConnection, manager: JetStreamManager, messages: number, headers?: MsgHdrs): Promise<void> {
  for (let i = 0; i < messages; i++) {
    connection.publish("bench.in", JSON.stringify(orderNumber(i)), headers && { headers });
    if (i % 10_000 === 9_999) await connection.flush(); // bounds the client's outgoing buffer
  }
  await connection.flush();
  await untilStored(manager, INPUT, messages);
}

/** The baseline: durable pull consumer → the same work → JetStream publish; ack the input once the output is acked. */
async function plainLoop(connection: NatsConnection, manager: JetStreamManager, messages: number, maxAckPending: number): Promise<void> {
  await manager.consumers.add(INPUT, {
    durable_name: "plain", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: maxAckPending, ack_wait: nanos(30_000),
  });
  const js = manager.jetstream();
  const consumer = await js.consumers.get(INPUT, "plain");
  const incoming = await consumer.consume({ max_messages: maxAckPending });
  let done = 0;
  let failure: unknown;
  for await (const message of incoming) {
    js.publish("bench.plain.fills", JSON.stringify(toFill(message.json<Order>()))).then(() => {
      message.ack();
      if (++done === messages) incoming.stop();
    }, (error) => {
      failure = error;
      incoming.stop();
    });
  }
  if (failure) throw failure;
}

/**
 * The engine: `mongoose run` with a nats feed, the handler on its own agent and a nats sink, until every
 * output is stored. `extraYaml`: more top-level configuration lines (e.g. `tracing: {}`).
 */
export async function engineRun(url: string, manager: JetStreamManager, messages: number, maxAckPending: number, yaml: string, extraYaml: string[] = []): Promise<void> {
  writeFileSync(yaml, [
    "admin: false",
    "eventFeeds:",
    `  - {name: orders, type: nats, agentName: nats-in, servers: ["${url}"], subject: bench.in, stream: ${INPUT}, durable: engine, maxAckPending: ${maxAckPending}, valueMapper: json}`,
    "eventSinks:",
    `  - {name: fills, type: nats, agentName: nats-out, servers: ["${url}"], subject: bench.engine.fills}`,
    "eventHandlers:",
    "  - agentName: processor",
    "    eventHandlers:",
    `      notional: {handler: "${HANDLER}"}`,
    ...extraYaml,
    "",
  ].join("\n"));
  const child = start(runtimeCommand(MAIN, ["run", yaml]));
  let log = "";
  child.onStdout(() => {});
  child.onStderr((text) => (log += text));
  let running = true;
  const exited = child.exitCode.then((code) => {
    running = false;
    throw new Error(`mongoose run exited (code ${code}) before it had handled every order:\n${log}`);
  });
  try {
    await Promise.race([untilStored(manager, OUTPUT.engine, messages), exited]);
  } finally {
    exited.catch(() => {});
    if (running) child.interrupt("SIGTERM");
  }
  const code = await child.exitCode;
  if (code !== 0) throw new Error(`mongoose run stopped with exit code ${code}:\n${log}`);
}

/** Polls the stream every 50 ms until it holds `messages` messages (a generous deadline: 1 ms per message plus a minute). */
async function untilStored(manager: JetStreamManager, stream: string, messages: number): Promise<void> {
  const deadline = Date.now() + 60_000 + messages;
  for (;;) {
    const stored = (await manager.streams.info(stream)).state.messages;
    if (stored >= messages) return;
    if (Date.now() > deadline) throw new Error(`stream ${stream} holds ${stored} of ${messages} messages after the deadline`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Outputs and their rate, from the output stream's count and first and last timestamps. */
export async function measured(manager: JetStreamManager, stream: string, messages: number): Promise<PipelineRun> {
  const { state } = await manager.streams.info(stream);
  if (state.messages !== messages) throw new Error(`stream ${stream} holds ${state.messages} outputs for ${messages} orders`);
  const seconds = Math.max(Date.parse(state.last_ts) - Date.parse(state.first_ts), 1) / 1000;
  return { outputs: state.messages, perSecond: (state.messages - 1) / seconds };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { messages: { type: "string", default: "200000" }, runs: { type: "string", default: "3" }, json: { type: "boolean", default: false } },
  });
  const report = await natsPipeline({ messages: Number(values.messages), runs: Number(values.runs), onProgress: (line) => console.error(line) });
  if (values.json) console.log(JSON.stringify(report));
  else {
    console.log(`${report.runtime} ${report.version}, ${report.messages} messages, medians of ${report.plain.length} runs:`);
    console.log(`  engine ${Math.round(report.engineMedianPerSecond)} msg/s, plain loop ${Math.round(report.plainMedianPerSecond)} msg/s (${report.ratio.toFixed(2)}×)`);
  }
  process.exit(0);
}
