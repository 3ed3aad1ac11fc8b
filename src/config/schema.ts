/**
 * The configuration schema (valibot): every key of the public contract, unknown keys rejected, defaults
 * applied. Keys of the contract that this version does not implement yet are rejected with a message
 * saying so, rather than silently ignored.
 *
 * @module
 */
import * as v from "valibot";
import { IDLE_STRATEGY_NAMES } from "../agent/idle-strategy.ts";
import { LOG_LEVELS } from "../log/log.ts";
import { fieldTypeProblem } from "../transport/fixed-layout.ts";
import { FULL_RING_POLICIES } from "../transport/full-ring-policy.ts";
import { MAX_RING_CAPACITY, MIN_RING_CAPACITY } from "../transport/ring.ts";
import { type ComponentType, feedTypes, sinkTypes } from "./component-types.ts";
import { restartKeys } from "./restart-policy.ts";
import { journalSchema } from "./journal-config.ts";
import { tracingSchema } from "./tracing-config.ts";
import { circuitBreakerSchema, retrySchema } from "./failure-policy-schemas.ts";
import { mapOf, nonEmptyName, oneOf, positiveInteger, settingsMap } from "./schema-parts.ts";

const notApplicable = (why: string) => v.optional(v.never(why));

const nanos = v.pipe(v.number(), v.minValue(0, "must be ≥ 0"));

const idleStrategyObject = v.variant("type", [
  v.strictObject({ type: v.literal("busySpin") }),
  v.strictObject({ type: v.literal("noOp") }),
  v.strictObject({ type: v.literal("yielding") }),
  v.strictObject({
    type: v.literal("backoff"),
    spinNanos: v.optional(nanos),
    yieldNanos: v.optional(nanos),
    minParkNanos: v.optional(nanos),
    maxParkNanos: v.optional(nanos),
  }),
  v.strictObject({ type: v.literal("sleeping"), sleepNanos: v.optional(nanos) }),
  v.strictObject({ type: v.literal("blocking"), maxParkNanos: v.optional(nanos) }),
], (issue) => `expected one of ${IDLE_STRATEGY_NAMES.join(", ")}, got ${issue.received}`);

const idleStrategyName = v.picklist(
  IDLE_STRATEGY_NAMES,
  (issue) => `expected one of ${IDLE_STRATEGY_NAMES.join(", ")} or {type: …}, got ${issue.received}`,
);

/** `idleStrategy`: a name, or `{type, …parameters}` (checked as such, so a wrong parameter is named). */
export const idleStrategySchema = v.lazy((input) =>
  typeof input === "object" && input !== null && !Array.isArray(input) ? idleStrategyObject : idleStrategyName
);

/** An agent's name (`supervisor` is reserved). */
export const agentName = v.pipe(
  v.string(),
  v.minLength(1, "must not be empty"),
  v.check((name) => name !== "supervisor", `"supervisor" is reserved for the supervisor's own thread`),
);

/** A handler: a module path (optionally `#ExportName`), or in-process a class, factory or object. */
const handlerReference = v.union([
  v.pipe(v.string(), v.minLength(1, "must not be empty")),
  v.custom<(...args: unknown[]) => unknown>((value) => typeof value === "function"),
  v.custom<object>((value) => typeof value === "object" && value !== null && typeof (value as { onEvent?: unknown }).onEvent === "function"),
], "expected a module path, a class, a factory function or an object with onEvent");

/** What a full ring does with an event: `onFull` of a feed or pipe, or of one feed in a handler's `onFull` map. */
const fullRingPolicy = oneOf(FULL_RING_POLICIES);

/**
 * A ring's data capacity in bytes (`ringCapacity`): within the ring's bounds, rounded up to the power of
 * two the ring needs.
 */
const ringCapacity = v.optional(v.pipe(
  v.number(),
  v.integer("must be an integer (bytes)"),
  v.minValue(MIN_RING_CAPACITY, `must be at least ${MIN_RING_CAPACITY} bytes (it is rounded up to a power of two, at most ${MAX_RING_CAPACITY})`),
  v.maxValue(MAX_RING_CAPACITY, `must be at most ${MAX_RING_CAPACITY} bytes (it is rounded up to a power of two, at least ${MIN_RING_CAPACITY})`),
  v.transform((bytes) => 2 ** Math.ceil(Math.log2(bytes))),
));

/** The full-ring keys of a feed or pipe (no `onFull` means `block`). */
const flowKeys = { onFull: v.optional(fullRingPolicy), ringCapacity };

/** One `eventHandlers` entry: `{handler, configMap, logLevel, retry, circuitBreaker, onFull}`. */
export const handlerSchema = v.strictObject({
  handler: handlerReference,
  configMap: settingsMap,
  logLevel: v.optional(oneOf(LOG_LEVELS)),
  retry: v.optional(retrySchema),
  circuitBreaker: v.optional(circuitBreakerSchema),
  /** Per feed, the policy of the ring from that feed into this handler's agent (overrides the feed's `onFull`). */
  onFull: v.optional(mapOf(fullRingPolicy, `expected a map of feed names to ${FULL_RING_POLICIES.join(", ")}`)),
});

/** A fixed-layout field type: `f64`, `i32`, `ascii(8)`, … */
const fieldType = v.pipe(v.string(), v.check((type) => fieldTypeProblem(type) === undefined, (issue) => fieldTypeProblem(issue.input)!));
const eventTypeFields = mapOf(fieldType, "expected a map of field names to field types (f64, i32, ascii(8), …)");
const eventTypeSpec = v.strictObject({ name: nonEmptyName, fields: eventTypeFields });

/**
 * `eventTypes`: fixed-layout event types by name, as a map of name → fields (YAML), or in code a list of
 * `defineEvent(...)` results.
 */
const eventTypesSchema = v.lazy((input) =>
  Array.isArray(input) ? v.array(eventTypeSpec) : mapOf(eventTypeFields, "expected a map of event type names to their fields")
);

/** The fixed-layout event type a feed or pipe carries, by name. */
const eventType = v.optional(nonEmptyName);

const cacheLimit = v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(1, "must be ≥ 1")), 100_000);
/** `string`, `json`, or a module path (optionally `#ExportName`). */
const valueMapper = v.optional(nonEmptyName);

/** `clock:` of a feed: `live` (default), or `replayRecords` (its `{event, wallClockTime}` records drive its subscribers' clock). */
const feedClock = v.optional(oneOf(["live", "replayRecords"] as const));

const commonFeedKeys = {
  name: nonEmptyName,
  clock: feedClock,
  broadcast: v.optional(v.boolean(), false),
  wrapWithNamedEvent: v.optional(v.boolean(), false),
  cacheEventLog: v.optional(v.boolean(), false),
  cacheLimit,
  valueMapper,
  eventType,
  ...flowKeys,
};

const commonSinkKeys = { name: nonEmptyName, valueMapper, circuitBreaker: v.optional(circuitBreakerSchema) };

/** Where a component may run: types pinned to the supervisor's thread refuse agent settings, saying why. */
function placementKeys(type: ComponentType, kind: string) {
  if (type.placement !== "supervisor") return { agentName: v.optional(agentName), idleStrategy: v.optional(idleStrategySchema) };
  const why = `${type.type} ${kind}s run on the supervisor's thread; agentName and idleStrategy do not apply`;
  return { agentName: notApplicable(why), idleStrategy: notApplicable(why) };
}

/**
 * A feed or sink entry: the common keys plus the keys of whichever registered type `type` names. The
 * types come from a runtime registry, so the static type is the common shape plus `type`.
 */
function typedSchema<TEntries extends v.ObjectEntries>(types: ComponentType[], common: TEntries, kind: string) {
  const names = types.map((t) => t.type);
  const schema = v.variant(
    "type",
    types.map((t) => v.strictObject({ ...common, ...placementKeys(t, kind), ...t.keys, type: v.literal(t.type) })),
    (issue) => `${kind} type must be one of ${names.join(", ")}, got ${issue.received}`,
  );
  type Entry = { type: string; agentName?: string; idleStrategy?: v.InferOutput<typeof idleStrategySchema> } & Record<string, unknown>;
  return schema as unknown as v.GenericSchema<v.InferInput<v.StrictObjectSchema<TEntries, undefined>> & Entry, v.InferOutput<v.StrictObjectSchema<TEntries, undefined>> & Entry>;
}

const pipeSchema = v.strictObject({
  name: nonEmptyName,
  /** The sink half; default `<name>.sink`. */
  sinkName: v.optional(nonEmptyName),
  broadcast: v.optional(v.boolean(), true),
  wrapWithNamedEvent: v.optional(v.boolean(), false),
  cacheEventLog: v.optional(v.boolean(), false),
  cacheLimit,
  valueMapper,
  eventType,
  ...flowKeys,
  agentName: notApplicable("a pipe has no thread of its own: writers publish straight into the subscribers' rings"),
  idleStrategy: notApplicable("a pipe has no thread of its own: writers publish straight into the subscribers' rings"),
});

/**
 * A service: agent-local without `agentName` (an instance on every agent with handlers), a worker service
 * with one; `publishes` names the feeds a worker service publishes (hosted on its agent).
 */
export const serviceSchema = v.strictObject({
  name: nonEmptyName,
  handler: v.union([
    v.pipe(v.string(), v.minLength(1, "must not be empty")),
    v.custom<object>((value) => typeof value === "function" || (typeof value === "object" && value !== null)),
  ], "expected a module path, a class, a factory function or an object"),
  agentName: v.optional(agentName),
  idleStrategy: v.optional(idleStrategySchema),
  configMap: settingsMap,
  publishes: v.optional(v.array(nonEmptyName), []),
});

/** One service entry as written (`services[]`, or `server.addService(...)`). */
export type ServiceConfig = v.InferInput<typeof serviceSchema>;

/** The admin HTTP server (`admin:`); `admin: false` turns it off. */
export const adminSchema = v.strictObject({
  host: v.optional(nonEmptyName, "127.0.0.1"),
  port: v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(0, "must be ≥ 0"), v.maxValue(65535, "must be ≤ 65535")), 8080),
  /** Bearer token every POST (and, with protectReads, every request) must carry. */
  token: v.optional(nonEmptyName),
  /** Named bearer tokens (id → secret): the audit log records the id of the one a caller used, never the secret. */
  tokens: v.optional(v.record(
    v.pipe(nonEmptyName, v.check((id) => !["default", "anonymous", "rejected"].includes(id), "default, anonymous and rejected are reserved token ids (admin.token is \"default\")")),
    nonEmptyName,
  ), {}),
  /** Append-only JSON-lines audit log of every mutating admin call (relative to the configuration's folder). */
  auditLog: v.optional(nonEmptyName),
  /** Audit reads (GET, HEAD) too. */
  auditReads: v.optional(v.boolean(), false),
  protectReads: v.optional(v.boolean(), false),
  /** Allows a non-loopback host without a token. */
  allowUnauthenticated: v.optional(v.boolean(), false),
  tls: v.optional(v.strictObject({ certFile: nonEmptyName, keyFile: nonEmptyName })),
  /** `/health/ready` answers 503 while a ring holds more than `maxBacklog`: events, or a percentage of its bytes. */
  readiness: v.optional(v.strictObject({
    maxBacklog: v.optional(v.union([
      positiveInteger,
      v.pipe(v.string(), v.regex(/^\d+(\.\d+)?%$/), v.check((text) => parseFloat(text) > 0 && parseFloat(text) <= 100)),
    ], 'expected a number of events (e.g. 1000) or a percentage of the ring\'s capacity above 0% and at most 100% (e.g. "50%")'), "50%"),
  }), {}),
});

/** One `eventFeeds` entry (the keys of its `type`). */
export const feedEntrySchema = typedSchema(feedTypes, commonFeedKeys, "feed");

/** The whole configuration. */
export const configSchema = v.strictObject({
  idleStrategy: v.optional(idleStrategySchema, "backoff"),
  agentThreads: v.optional(v.array(v.strictObject({
    agentName,
    idleStrategy: v.optional(idleStrategySchema),
    coreId: v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(0, "must be ≥ 0"))),
    /** Most events the agent takes from one ring per duty cycle. */
    batchSize: v.optional(v.pipe(positiveInteger, v.maxValue(1 << 20, "must be ≤ 1048576"))),
    /** Heap bound of the agent's worker in MB: reaching it ends that agent alone (Deno; see README). */
    maxHeapMb: v.optional(v.pipe(positiveInteger, v.minValue(16, "must be ≥ 16 (an agent needs about 8 MB to boot)"))),
    /** Supervision: restart, maxRestarts, restartWindowMs, restartBackoffMs, restartBackoffMaxMs (see restart-policy.ts). */
    ...restartKeys,
  })), []),
  eventTypes: v.optional(eventTypesSchema, {}),
  eventFeeds: v.optional(v.array(feedEntrySchema), []),
  eventSinks: v.optional(v.array(typedSchema(sinkTypes, commonSinkKeys, "sink")), []),
  eventHandlers: v.optional(v.array(v.strictObject({
    agentName,
    idleStrategy: v.optional(idleStrategySchema),
    eventHandlers: mapOf(handlerSchema, "expected a map of handler names to {handler, configMap, logLevel, retry, circuitBreaker, onFull}"),
  })), []),
  pipes: v.optional(v.array(pipeSchema), []),
  /** The sink that receives dead letters (events that could not be parsed, mapped, encoded or handled). */
  deadLetter: v.optional(nonEmptyName),
  services: v.optional(v.array(serviceSchema), []),
  /** Per-handler latency histograms (`GET /api/latency`): one event in `sampleEvery` per handler is timed. */
  latency: v.optional(v.strictObject({
    enabled: v.optional(v.boolean(), true),
    sampleEvery: v.optional(v.pipe(positiveInteger, v.maxValue(1 << 20, "must be ≤ 1048576")), 64),
  }), {}),
  /** Records every delivery to the chosen handlers, with its clock, for replay (src/core/journal/). Absent: off. */
  journal: v.optional(journalSchema),
  /** W3C trace context at NATS boundaries, and OTLP export of boundary spans (src/core/tracing/). Absent: off. */
  tracing: v.optional(tracingSchema),
  /** Bound of the whole stop (SIGTERM → drained, flushed, pointers saved); what did not finish is reported. Default 30 000. */
  shutdownTimeoutMs: v.optional(positiveInteger),
  /** Absent: on for `mongoose run` (127.0.0.1:8080), off when embedded. */
  admin: v.optional(v.lazy((input) => input === false ? v.literal(false) : adminSchema)),
});

/** Configuration as written by the user (YAML or an object in code). */
export type MongooseConfig = v.InferInput<typeof configSchema>;
/** Configuration with defaults applied. */
export type EffectiveConfig = v.InferOutput<typeof configSchema>;
