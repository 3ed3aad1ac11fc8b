/**
 * The sinks of a replay: the configuration's own sinks, built and run by a server as usual (file, console,
 * fan-out, plugins, their value mappers and dead letters), with `--sink name=file:PATH` overrides, and
 * without its feeds, handlers, services, pipes, journal or admin server. Replayed handlers run on the
 * replay's thread, not in that server; their values reach it through one memory feed, in batches in the
 * order they were written, and a relay handler there writes each to the sink it names.
 *
 * @module
 */
import { resolve } from "node:path";
import type { LoadedConfig } from "../config/yaml-loader.ts";
import type { Handler, HandlerContext, Sink } from "../core/handler-api.ts";
import type { SinkValueOut } from "../core/replay/replay-outputs.ts";
import type { LogFormat, LogLevel } from "../log/log.ts";
import type { MongooseConfig } from "../config/schema.ts";
import type { StopReport } from "../core/supervisor/stop-sequence.ts";
import { MongooseServer } from "../server.ts";

/** The feed and the handler that carry replayed values to their sinks. */
const OUTPUTS_FEED = "replay-outputs";

/** A value on its way to the sink it names. */
interface SinkValue {
  sink: string;
  value: unknown;
}

/** Values handed over per event of the feed: one offer per value held a replay to ~43k records/s, batches of 256 to ~56k (bench/replay.ts, bun). */
const BATCH = 256;

/** Writes each value of each batch it receives to the sink it names, in order. */
class SinkRelay implements Handler {
  private ctx!: HandlerContext;
  private readonly sinks = new Map<string, Sink>();

  start(ctx: HandlerContext): void {
    this.ctx = ctx;
    ctx.subscribe(OUTPUTS_FEED);
  }

  onEvent(batch: unknown): void {
    for (const { sink, value } of batch as SinkValue[]) {
      let writer = this.sinks.get(sink);
      if (!writer) this.sinks.set(sink, writer = this.ctx.sink(sink));
      writer.accept(value);
    }
  }
}

/** A running sink server. */
export interface ReplaySinks {
  /** Takes a value for a sink; values go to the server in batches, in the order taken. */
  out: SinkValueOut;
  /** Hands the values taken so far to the server now (before the replay waits, so they are written meanwhile). */
  flush(): void;
  /** Hands over what is left, drains every value into its sink, flushes and stops. */
  stop(): Promise<StopReport>;
}

/**
 * The configuration's sinks with `overrides` (sink name → file path, relative to the working directory)
 * as `type: file` sinks that keep the original's `valueMapper`.
 *
 * @example
 * ```ts
 * const sinks = await bootReplaySinks(loadYamlConfig("app.yaml"), new Map([["out", "replayed.jsonl"]]), { logLevel: "warn" });
 * sinks.out("out", { px: 1 });
 * await sinks.stop(); // written
 * ```
 */
export async function bootReplaySinks(source: LoadedConfig, overrides: ReadonlyMap<string, string>, log: { logLevel: LogLevel; logFormat: LogFormat }): Promise<ReplaySinks> {
  const config = source.config as Record<string, unknown>;
  const sinks = ((config.eventSinks ?? []) as Record<string, unknown>[]).map((sink) => {
    const path = overrides.get(sink.name as string);
    if (path === undefined) return sink;
    return { name: sink.name, type: "file", filename: resolve(path), ...(sink.valueMapper === undefined ? {} : { valueMapper: sink.valueMapper }) };
  });
  const replayConfig: Record<string, unknown> = {
    ...(config.eventTypes === undefined ? {} : { eventTypes: config.eventTypes }),
    ...(config.deadLetter === undefined ? {} : { deadLetter: config.deadLetter }),
    ...(config.shutdownTimeoutMs === undefined ? {} : { shutdownTimeoutMs: config.shutdownTimeoutMs }),
    admin: false,
    latency: { enabled: false },
    eventSinks: sinks,
    eventFeeds: [{ name: OUTPUTS_FEED, type: "memory" }],
    eventHandlers: [{ agentName: "replay", eventHandlers: { "replay-sinks": { handler: SinkRelay } } }],
  };
  const server = await MongooseServer.boot(replayConfig as MongooseConfig, { baseDir: source.baseDir, inline: true, logLevel: log.logLevel, logFormat: log.logFormat });
  const feed = server.feed(OUTPUTS_FEED);
  let batch: SinkValue[] = [];
  const flush = () => {
    if (batch.length === 0) return;
    feed.offer(batch);
    batch = [];
  };
  return {
    out: (sink, value) => {
      if (batch.push({ sink, value }) === BATCH) flush();
    },
    flush,
    stop: () => {
      flush();
      return server.stop();
    },
  };
}
