/**
 * The plan: what the supervisor boots, as plain data. Built from a configuration by `config/plan.ts`
 * and executed by `core/`; this module is the only thing both sides share, so it imports no values.
 *
 * @example
 * ```ts
 * import type { ServerPlan } from "../plan/types.ts";
 * const names = (plan: ServerPlan) => plan.agents.map((agent) => agent.name);
 * ```
 *
 * @module
 */
import type { IdleStrategySpec } from "../agent/idle-strategy.ts";
import type { LogLevel } from "../log/log.ts";
import type { EventTypeSpec } from "../transport/fixed-layout.ts";
import type { FullRingPolicy } from "../transport/full-ring-policy.ts";

/** A module to import, resolved to a URL. */
export interface ModuleSource {
  url: string;
  exportName: string;
  /** The path as the user wrote it, for messages. */
  display: string;
}

/** Where a handler comes from. */
export type HandlerSource = ({ kind: "module" } & ModuleSource) | { kind: "value"; value: unknown };

/** A value mapper: built-in `string` or `json`, or a module. */
export type MapperSource = { kind: "string" } | { kind: "json" } | ({ kind: "module" } & ModuleSource);

/**
 * `retry:` of a handler: a failed event is tried again on the agent's scheduler, `attempts` calls in all,
 * waiting `backoffMs` doubling up to `maxBackoffMs` between them; `ordered` holds the feed's later events
 * for that handler meanwhile.
 *
 * @example
 * ```ts
 * const retry: RetryPolicy = { attempts: 3, backoffMs: 100, maxBackoffMs: 10_000, ordered: true };
 * ```
 */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  ordered: boolean;
}

/**
 * `circuitBreaker:` of a handler or sink: `failures` failures within `windowMs` open it for `openMs`;
 * while open, events are dead-lettered (`deadLetter`) or held back (`hold`) without calling the code.
 *
 * @example
 * ```ts
 * const breaker: CircuitBreakerPolicy = { failures: 5, windowMs: 10_000, openMs: 30_000, whenOpen: "deadLetter" };
 * ```
 */
export interface CircuitBreakerPolicy {
  failures: number;
  windowMs: number;
  openMs: number;
  whenOpen: "deadLetter" | "hold";
}

export interface HandlerPlan {
  name: string;
  source: HandlerSource;
  config: Record<string, unknown>;
  logLevel?: LogLevel;
  retry?: RetryPolicy;
  circuitBreaker?: CircuitBreakerPolicy;
  /** Per feed, the policy of the ring from that feed into this handler's agent (overrides the feed's). */
  onFull?: Record<string, FullRingPolicy>;
}

/**
 * A service: an agent-local one (no `agentName`) has an instance on every agent with handlers; a worker
 * service runs on its own agent (`agentName`) and may publish feeds hosted there.
 */
export interface ServicePlan {
  name: string;
  source: HandlerSource;
  config: Record<string, unknown>;
  /** The agent of a worker service; absent for an agent-local service. */
  agentName?: string;
  /** Feeds the service publishes (a worker service's; hosted on its agent, type `service`). */
  publishes: string[];
}

/** Where a service lives, as every agent knows it (no module, so it crosses to any thread). */
export interface ServiceLocation {
  name: string;
  agentName?: string;
  publishes: string[];
}

/** The reserved name of the supervisor thread's own agent. */
export const SUPERVISOR_AGENT = "supervisor";

export interface AgentPlan {
  name: string;
  /** `worker`: its own thread; `inline`: on the supervisor's thread, driven by the event loop. */
  mode: "worker" | "inline";
  idle: IdleStrategySpec;
  coreId?: number;
  /** Most events taken from one ring per duty cycle (default: the server's tuning). */
  batchSize?: number;
  /** Heap bound of its worker in MB (`agentThreads[].maxHeapMb`). */
  maxHeapMb?: number;
  /** Restart when its worker dies (`agentThreads[].restart: always`); absent: a dead agent stays dead. */
  restart?: RestartPolicy;
  handlers: HandlerPlan[];
  /** Services with an instance on this agent (started before its handlers, stopped after them). */
  services: ServicePlan[];
  /** Feeds whose publishing side lives on this agent. */
  hostedFeeds: string[];
  /** Sinks whose consuming side lives on this agent. */
  hostedSinks: string[];
}

/**
 * How a dead worker agent is restarted: at most `maxRestarts` times in any `windowMs`, the first attempt
 * after `backoffMs`, each next one after twice the wait before, up to `backoffMaxMs`.
 */
export interface RestartPolicy {
  maxRestarts: number;
  windowMs: number;
  backoffMs: number;
  backoffMaxMs: number;
}

export interface FeedPlan {
  /** 1-based id stamped into ring records. */
  id: number;
  name: string;
  /** A registered feed type, `pipe` (published by whichever agents write to the pipe's sink) or `service` (published by a worker service). */
  type: string;
  broadcast: boolean;
  wrapWithNamedEvent: boolean;
  /** Pre-start caching: hold events published before the server completed its start (at most `limit`). */
  cache: { enabled: boolean; limit: number };
  mapper?: MapperSource;
  /** The fixed-layout event type it carries, if any (events are encoded with that type's codec). */
  eventType?: string;
  /** The agent that publishes it ("" for pipes: every writer publishes). */
  host: string;
  /** What its subscribers' rings do when full (default `block`); a handler's `onFull` overrides it for its agent. */
  onFull?: FullRingPolicy;
  /**
   * `replayRecords`: each event is `{event, wallClockTime}`; `event` is delivered and `wallClockTime` (epoch
   * ms) is the time of the subscribing handlers' `ctx.clock` and scheduler. Absent: the live clock.
   */
  clock?: "replayRecords";
  /** Data capacity in bytes of its subscribers' rings, a power of two (default: the server's `ringCapacity`). */
  ringCapacity?: number;
  /** The type's own keys (filename, readStrategy, periodMs, config…). */
  settings: Record<string, unknown>;
  module?: ModuleSource;
}

export interface SinkPlan {
  id: number;
  name: string;
  /** A registered sink type, or `pipe` (the sink half of a pipe). */
  type: string;
  mapper?: MapperSource;
  /** The agent that consumes it ("" for pipe sinks: values go to the pipe's subscribers). */
  host: string;
  settings: Record<string, unknown>;
  module?: ModuleSource;
  /** For pipe sinks: the pipe's feed. */
  pipe?: string;
  circuitBreaker?: CircuitBreakerPolicy;
}

/**
 * When a ring's backlog makes the server not ready (`admin.readiness.maxBacklog`): more than `events`
 * queued, or more than `fraction` of its bytes in use.
 *
 * @example
 * ```ts
 * const limit: BacklogLimit = { fraction: 0.5 }; // maxBacklog: "50%"
 * ```
 */
export type BacklogLimit = { events: number } | { fraction: number };

/** The admin HTTP server's settings (`admin:`), paths resolved. */
export interface AdminPlan {
  host: string;
  /** 0 picks a free port. */
  port: number;
  token?: string;
  /** Named tokens, id → secret; `token` is the one with id `default`. */
  tokens: Record<string, string>;
  /** The audit log's file (absolute), when mutating admin calls are audited. */
  auditLog?: string;
  /** Reads are audited too. */
  auditReads: boolean;
  /** Health and metrics need the token too. */
  protectReads: boolean;
  /** A non-loopback host may run without a token. */
  allowUnauthenticated: boolean;
  tls?: { certFile: string; keyFile: string };
  readiness: { maxBacklog: BacklogLimit };
}

/**
 * Per-handler latency recording (`latency:`): when enabled, one event in `sampleEvery` per handler is
 * timed (publish→handle latency and service time).
 *
 * @example
 * ```ts
 * const latency: LatencyPlan = { enabled: true, sampleEvery: 64 };
 * ```
 */
export interface LatencyPlan {
  enabled: boolean;
  sampleEvery: number;
}

/**
 * The journal (`journal:`): every delivery to the named handlers is recorded with its clock, on the
 * handler's agent, into `<dir>/<handler>/` (see src/core/journal/).
 *
 * @example
 * ```ts
 * const journal: JournalPlan = { dir: "/srv/app/journal", handlers: "all", rollBytes: 64 * 1024 * 1024, retainFiles: 10 };
 * ```
 */
export interface JournalPlan {
  /** Absolute. */
  dir: string;
  /** Every handler (also those registered at runtime), or these. */
  handlers: "all" | string[];
  rollBytes: number;
  /** 0 keeps every file. */
  retainFiles: number;
}

/** A fixed-layout event type with the codec id its records carry (the same on every thread). */
export interface EventTypePlan extends EventTypeSpec {
  codecId: number;
}

/** `tracing:` with defaults applied: W3C trace context at NATS boundaries, spans exported when `otlpEndpoint` is set. */
export interface TracingPlan {
  /** OTLP/HTTP traces URL (e.g. `http://collector:4318/v1/traces`); absent: propagate only, export nothing. */
  otlpEndpoint?: string;
  /** Share of traces started here (messages without a traceparent) that are sampled, 0..1. */
  sampleRatio: number;
  /** The exported spans' `service.name`. */
  serviceName: string;
}

/** Everything the supervisor needs to boot. `agents[0]` is the supervisor's own agent. */
export interface ServerPlan {
  agents: AgentPlan[];
  eventTypes: EventTypePlan[];
  feeds: FeedPlan[];
  sinks: SinkPlan[];
  /** Every service, agent-local and worker. */
  services: ServicePlan[];
  /** The sink receiving dead letters, if any. */
  deadLetter?: string;
  /** The admin server: settings, `false` (off), or absent (the caller's default: on for `mongoose run`). */
  admin?: AdminPlan | false;
  /** The configuration's `idleStrategy`: what an agent started at runtime runs with unless told otherwise. */
  defaultIdle?: IdleStrategySpec;
  /** Per-handler latency recording. */
  latency: LatencyPlan;
  /** Absent when nothing is journaled. */
  journal?: JournalPlan;
  /** The configuration's `shutdownTimeoutMs`: the bound of the whole stop, if given. */
  shutdownTimeoutMs?: number;
  /** Absent: no trace context is read, carried or written anywhere. */
  tracing?: TracingPlan;
}

/** A handler to register at runtime, checked against the running plan; `newAgent` when its agent does not exist yet. */
export interface HandlerAddition {
  agentName: string;
  handler: HandlerPlan;
  newAgent?: AgentPlan;
}

/** A feed to register at runtime, checked against the running plan; `newAgent` when its host does not exist yet. */
export interface FeedAddition {
  feed: FeedPlan;
  newAgent?: AgentPlan;
}
