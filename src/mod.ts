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
export type { AdminCommand, AdminCommandOptions, EventMeta, Handler, HandlerContext, Scheduler, Sink } from "./core/handler-api.ts";
export type { CommandInfo } from "./core/commands/command-registry.ts";
export type { CommandErrorKind } from "./core/commands/command-error.ts";
export type { JsonValue } from "./core/commands/json-value.ts";
export type { Service, ServiceContext } from "./core/service-api.ts";
export type { ServiceInfo } from "./core/supervisor/service-registrar.ts";
export type { ServiceConfig } from "./config/schema.ts";
export type { EventBatch, EventOrigin, FeedContext, FeedPlugin, FeedStatus, PublishOptions, SinkContext, SinkPlugin } from "./core/plugin-api.ts";
export type { PluginManifest, PluginVersion, Versions } from "./plan/versions.ts";
export { CONFIG_SCHEMA_VERSION, ENGINE_VERSION, PLUGIN_API_VERSION } from "./plan/versions.ts";
export type { DeadLetter } from "./core/dead-letters.ts";
export type { DeadLetterReason } from "./core/dead-letter-reasons.ts";
export type { FeedStatusEntry } from "./core/protocol.ts";
export type { Clock } from "./time/clock.ts";
export type { Logger, LogLevel, LogFormat } from "./log/log.ts";
export type { MongooseConfig, EffectiveConfig } from "./config/schema.ts";
export type { AgentStatus } from "./core/supervisor/agent-health.ts";
export type { RingInfo } from "./core/supervisor/ring-registry.ts";
export type { StopReport } from "./core/supervisor/stop-sequence.ts";
export type { ConfigUpdateResult, ReloadReport } from "./core/supervisor/config-updates.ts";
export type { CounterSample } from "./core/counters.ts";
export type { HandlerLatency, LatencyQuery, LatencyStats, LatencySummary } from "./core/latency/latency-report.ts";
export type { LatencyMetric } from "./core/latency/latency-block.ts";
export { LatencyLookupError } from "./core/latency/latency-report.ts";
export type { ErrorReport } from "./core/errors.ts";
export type { IdleStrategySpec } from "./agent/idle-strategy.ts";
export type { HandlerPausePolicy, TuningOverlay } from "./plan/tuning.ts";
export type { FullRingPolicy } from "./transport/full-ring-policy.ts";
export { BootError, RegistrationError } from "./core/errors.ts";
export { CommandError } from "./core/commands/command-error.ts";
export type { FeedRegistration, HandlerRegistration } from "./config/runtime-plan.ts";
export type { Registered } from "./core/supervisor/registration.ts";
export { ConfigError } from "./config/config-error.ts";
export { BackpressureTimeoutError } from "./agent/backpressure.ts";
export { FeedClosedError } from "./core/feeds/feed-publisher.ts";
export { SinkClosedError } from "./core/sinks/sink-writer.ts";
export { CodecError } from "./transport/codec.ts";
export { defineEvent, FixedLayoutError } from "./transport/fixed-layout.ts";
export type { EventTypeSpec, FieldType, FixedEvent } from "./transport/fixed-layout.ts";
export { MemorySink } from "./core/sinks/memory-sink.ts";
export { journaledHandlers, readJournal } from "./core/journal/journal-reader.ts";
export type { TornTailListener } from "./core/journal/journal-reader.ts";
export type { JournalEntry } from "./core/journal/journal-entry.ts";
export { JournalFormatError } from "./core/journal/journal-format.ts";
