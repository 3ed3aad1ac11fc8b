/**
 * The sinks of a replay: the configuration's own sinks, built and run by a server as usual (file, console,
 * fan-out, plugins, their value mappers and dead letters), with `--sink name=file:PATH` overrides, and
 * without its feeds, handlers, services, pipes, journal or admin server. Replayed handlers run on the
 * replay's thread, not in that server; their values reach it through one memory feed, in the order they
 * were written, and a relay handler there writes each to the sink it names.
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
import { isFixedEvent } from "../transport/fixed-layout.ts";

/** The feed and the handler that carry replayed values to their sinks. */
const OUTPUTS_FEED = "replay-outputs";

/** A value on its way to the sink it names. */
interface SinkValue {
  sink: string;
  value: unknown;
}

/** Writes each value it receives to the sink it names. */
class SinkRelay implements Handler {
  private ctx!: HandlerContext;
  private readonly sinks = new Map<string, Sink>();

  start(ctx: HandlerContext): void {
    this.ctx = ctx;
    ctx.subscribe(OUTPUTS_FEED);
  }

  onEvent(event: unknown): void {
    const { sink, value } = event as SinkValue;
    let writer = this.sinks.get(sink);
    if (!writer) this.sinks.set(sink, writer = this.ctx.sink(sink));
    writer.accept(value);
  }
}

/** A running sink server. */
export interface ReplaySinks {
  /** Hands a value to the server at once (it is copied then, as `Sink.accept` promises). */
  out: SinkValueOut;
  /** Drains every value handed over into its sink, flushes and stops. */
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
 * await sinks.stop();
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
  return {
    // A fixed-layout event (a flyweight, often reused) goes as its JSON form: live, its sink would write that.
    out: (sink, value) => void feed.offer({ sink, value: isFixedEvent(value) ? value.toJSON() : value } satisfies SinkValue),
    stop: () => server.stop(),
  };
}
