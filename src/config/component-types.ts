/**
 * The registry of feed and sink types. Each type owns the schema of its own keys and says where it runs;
 * the configuration schema is assembled from whatever is registered, so a new connector adds an entry
 * here instead of editing the schema.
 *
 * @module
 */
import * as v from "valibot";
import { natsFeedKeys, natsSinkKeys } from "./nats-keys.ts";
import { oneOf, positiveInteger, settingsMap } from "./schema-parts.ts";

/** The agent that hosts components which name none and must not run on the supervisor's thread. */
export const DEFAULT_IO_AGENT = "io-agent";

const nonEmpty = (what: string) => v.pipe(v.string(), v.minLength(1, `${what} must not be empty`));

/** `COMMITED` is the original server's spelling, accepted as an alias. */
export const READ_STRATEGIES = ["COMMITTED", "COMMITED", "EARLIEST", "LATEST", "ONCE_EARLIEST", "ONCE_LATEST"] as const;
export const FAILURE_POLICIES = ["CONTINUE", "FAIL_FAST", "RETRY_THEN_DROP"] as const;

/** Where a component runs: on the supervisor's thread, or on an agent (named, or the default I/O agent). */
export type Placement = "supervisor" | "agent" | "io-agent";

/** A registered feed or sink type. */
export interface ComponentType {
  /** The `type:` value. */
  type: string;
  /** One line for docs and help. */
  description: string;
  /** Keys specific to this type (merged with the common keys). */
  keys: v.ObjectEntries;
  /**
   * `supervisor`: always on the supervisor's thread (no `agentName`); `agent`: on `agentName` if given,
   * else the supervisor's thread; `io-agent`: on `agentName` if given, else the default I/O agent.
   */
  placement: Placement;
}

/** Built-in feed types. */
export const feedTypes: ComponentType[] = [
  { type: "memory", description: "values offered by the embedding program (server.offer)", keys: {}, placement: "supervisor" },
  {
    type: "file",
    description: "tails a text file, one event per line",
    keys: {
      filename: nonEmpty("filename"),
      readStrategy: v.optional(oneOf(READ_STRATEGIES), "COMMITTED"),
      /** How often to look for new data at the end of the file. */
      pollMillis: v.optional(positiveInteger, 10),
    },
    placement: "io-agent",
  },
  {
    type: "interval",
    description: "a heartbeat {count, time} every periodMs",
    keys: { periodMs: v.optional(positiveInteger, 1000) },
    placement: "agent",
  },
  { type: "nats", description: "a durable JetStream pull consumer; acks once handled and written", keys: natsFeedKeys, placement: "io-agent" },
  {
    type: "module",
    description: "a custom feed from a module (FeedPlugin)",
    keys: { module: nonEmpty("module"), config: settingsMap },
    placement: "agent",
  },
];

/** Built-in sink types. */
export const sinkTypes: ComponentType[] = [
  { type: "memory", description: "values kept in memory for the embedding program (server.sink(name))", keys: {}, placement: "supervisor" },
  { type: "console", description: "one line per value on stdout", keys: {}, placement: "supervisor" },
  {
    type: "file",
    description: "appends one line per value to a file",
    keys: { filename: nonEmpty("filename"), fsync: v.optional(v.boolean(), false) },
    placement: "io-agent",
  },
  {
    type: "fanout",
    description: "forwards each value to several sinks, with failure policy and circuit breakers",
    keys: {
      targets: v.pipe(v.array(nonEmpty("a target")), v.minLength(1, "needs at least one target")),
      failurePolicy: v.optional(oneOf(FAILURE_POLICIES), "CONTINUE"),
      retryAttempts: v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(0, "must be ≥ 0")), 3),
      circuitOpenThreshold: v.optional(v.pipe(v.number(), v.integer("must be an integer"), v.minValue(0, "must be ≥ 0")), 0),
      circuitOpenMillis: v.optional(v.pipe(v.number(), v.minValue(0, "must be ≥ 0")), 30_000),
    },
    placement: "agent",
  },
  { type: "nats", description: "publishes each value to a NATS subject (JetStream, or core NATS)", keys: natsSinkKeys, placement: "io-agent" },
  {
    type: "module",
    description: "a custom sink from a module (SinkPlugin)",
    keys: { module: nonEmpty("module"), config: settingsMap },
    placement: "agent",
  },
];
