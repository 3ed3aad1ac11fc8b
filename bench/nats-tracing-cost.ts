/**
 * What `tracing:` costs over NATS: the NATS pipeline benchmark's engine side (JetStream orders → `type:
 * nats` feed → handler on its own agent → `type: nats` sink, acked; see nats-pipeline.ts) with tracing
 * off (no `tracing:` key, orders without headers), propagating (`tracing: {}`, every order with a
 * sampled `traceparent`), and exporting (`tracing: {otlpEndpoint}` to a local OTLP/HTTP receiver, two
 * spans per order), the three modes alternating within each run. Prints one JSON object with the medians.
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
import { connect, headers, type MsgHdrs } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { median } from "./child-runs.ts";
import { engineRun, freshStreams, measured, OUTPUT, publishOrders } from "./nats-pipeline.ts";
import { NatsServer } from "../test/nats/nats-server.ts";
import { OtlpReceiver } from "../test/nats/otlp-receiver.ts";
import { runtime } from "../src/runtime/mod.ts";

/** Message rates of each mode, and what the OTLP receiver got. */
export interface NatsTracingCostReport {
  runtime: string;
  version: string;
  messages: number;
  runs: number;
  /** Outputs per second of each run, by mode. */
  perSecond: Record<TracingMode, number[]>;
  medianPerSecond: Record<TracingMode, number>;
  propagateRatio: number;
  exportRatio: number;
  spansReceived: number;
}

/** How the engine runs: no `tracing:`, `tracing: {}`, or exporting to the local receiver. */
export type TracingMode = "off" | "propagate" | "export";

const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/**
 * Runs the three modes `runs` times each, against a nats-server and an OTLP receiver it starts itself.
 *
 * @example
 * ```ts
 * const report = await natsTracingCost({ messages: 1000, runs: 1 });
 * console.log(report.medianPerSecond.propagate / report.medianPerSecond.off);
 * ```
 */
export async function natsTracingCost(options: { messages: number; runs: number; onProgress?: (line: string) => void }): Promise<NatsTracingCostReport> {
  const { messages, runs } = options;
  const nats = await NatsServer.start();
  const receiver = await OtlpReceiver.start();
  const connection = await connect({ servers: nats.url });
  const dir = mkdtempSync(join(tmpdir(), "mongoose-tracing-bench-"));
  const traced = headers();
  traced.set("traceparent", TRACEPARENT);
  const modes: Record<TracingMode, { yaml: string[]; headers?: MsgHdrs }> = {
    off: { yaml: [] },
    propagate: { yaml: ["tracing: {}"], headers: traced },
    export: { yaml: [`tracing: {otlpEndpoint: "${receiver.endpoint}"}`], headers: traced },
  };
  const perSecond: Record<TracingMode, number[]> = { off: [], propagate: [], export: [] };
  try {
    const manager = await jetstreamManager(connection);
    for (let run = 1; run <= runs; run++) {
      for (const mode of Object.keys(modes) as TracingMode[]) {
        await freshStreams(manager);
        await publishOrders(connection, manager, messages, modes[mode].headers);
        await engineRun(nats.url, manager, messages, 1024, join(dir, `${mode}-${run}.yaml`), modes[mode].yaml);
        perSecond[mode].push((await measured(manager, OUTPUT.engine, messages)).perSecond);
        options.onProgress?.(`${runtime.name} run ${run}: tracing ${mode} ${Math.round(perSecond[mode].at(-1)!)} msg/s`);
      }
    }
  } finally {
    await connection.close();
    await nats.stop();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const medianPerSecond = { off: Math.round(median(perSecond.off)), propagate: Math.round(median(perSecond.propagate)), export: Math.round(median(perSecond.export)) };
  return {
    runtime: runtime.name, version: runtime.version, messages, runs, perSecond, medianPerSecond,
    propagateRatio: medianPerSecond.propagate / medianPerSecond.off, exportRatio: medianPerSecond.export / medianPerSecond.off, spansReceived: receiver.spans.length,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { messages: { type: "string", default: "50000" }, runs: { type: "string", default: "3" } },
  });
  const report = await natsTracingCost({ messages: Number(values.messages), runs: Number(values.runs), onProgress: (line) => console.error(line) });
  console.log(JSON.stringify(report));
  process.exit(0);
}
