/**
 * Mongoose Server, TypeScript edition: feeds, handlers and sinks on worker agents joined by
 * SharedArrayBuffer rings.
 *
 * @example
 * ```ts
 * import { MongooseServer } from "mongoose-server";
 * const server = await MongooseServer.boot({
 *   eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
 *   eventSinks: [{ name: "out", type: "memory" }],
 *   eventHandlers: [{ agentName: "worker", eventHandlers: { echo: { handler: "./echo.ts" } } }],
 * });
 * server.offer("in", "hello");
 * await server.sink("out").waitFor(1);
 * await server.stop();
 * ```
 *
 * @module
 */
export { MongooseServer } from "./server.ts";
export type { FeedHandle, Health, ServerOptions, Topology } from "./server.ts";
export type { EventMeta, Handler, HandlerContext, Sink } from "./core/handler-api.ts";
export type { EventOrigin, FeedContext, FeedPlugin, FeedStatus, SinkContext, SinkPlugin } from "./core/plugin-api.ts";
export type { DeadLetter, DeadLetterReason } from "./core/dead-letters.ts";
export type { FeedStatusEntry } from "./core/agent-host.ts";
export type { Clock } from "./runtime/clock.ts";
export type { Logger, LogLevel, LogFormat } from "./core/log.ts";
export type { MongooseConfig, EffectiveConfig } from "./config/schema.ts";
export type { AgentStatus, RingInfo, StopReport } from "./core/supervisor.ts";
export type { CounterSample } from "./core/counters.ts";
export type { ErrorReport } from "./core/errors.ts";
export type { IdleStrategySpec } from "./agent/idle-strategy.ts";
export { BootError, ConfigError } from "./core/errors.ts";
export { BackpressureTimeoutError } from "./agent/backpressure.ts";
export { FeedClosedError } from "./core/feeds/feed-publisher.ts";
export { SinkClosedError } from "./core/sinks/sink-writer.ts";
export { CodecError } from "./transport/codec.ts";
export { defineEvent, FixedLayoutError } from "./transport/fixed-layout.ts";
export type { EventTypeSpec, FieldType, FixedEvent } from "./transport/fixed-layout.ts";
export { MemorySink } from "./core/sinks/memory-sink.ts";
