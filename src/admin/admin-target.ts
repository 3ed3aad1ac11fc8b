/**
 * What the admin server reads from and does to the running server. `MongooseServer` implements it; the
 * admin server knows nothing else of the engine, so every endpoint goes through the embedding API.
 *
 * @module
 */
import type { CommandInfo } from "../core/commands/command-registry.ts";
import type { JsonValue } from "../core/commands/json-value.ts";
import type { CounterSample } from "../core/counters.ts";
import type { ErrorReport } from "../core/errors.ts";
import type { LatencyQuery, LatencySummary } from "../core/latency/latency-report.ts";
import type { FeedStatusEntry } from "../core/protocol.ts";
import type { PublishOptions } from "../core/plugin-api.ts";
import type { Health, Topology } from "../core/supervisor/server-views.ts";

/**
 * @example
 * ```ts
 * const target: AdminTarget = server; // a MongooseServer
 * target.health().live;
 * ```
 */
export interface AdminTarget {
  health(): Health;
  topology(): Topology;
  counters(): CounterSample[];
  feedStatus(): Promise<FeedStatusEntry[]>;
  errors(): ErrorReport[];
  command(name: string, args?: JsonValue): Promise<JsonValue>;
  commands(): CommandInfo[];
  /** Undefined when latency recording is off. */
  latency(): LatencySummary | undefined;
  /** Throws LatencyLookupError for an unknown or ambiguous handler; undefined when recording is off. */
  latencyDistribution(handler: string, query?: LatencyQuery): string | undefined;
  resetLatency(): boolean;
  /** Publishes `value` on the memory feed `feed`; returns its sequence number (0 when its mapper dropped it). */
  offer(feed: string, value: unknown, options?: Pick<PublishOptions, "traceparent">): number;
}

/**
 * The server as the admin server reaches it: `undefined` while it boots (the admin server listens
 * before the agents start, so a port in use fails the boot before anything started, and probes get a
 * clear 503 meanwhile).
 */
export type AdminTargetRef = () => AdminTarget | undefined;
