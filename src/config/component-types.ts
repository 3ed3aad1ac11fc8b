/**
 * The registry of feed and sink types. Each type owns the schema of its own keys; the configuration
 * schema is assembled from whatever is registered, so a new connector adds an entry here instead of
 * editing the schema.
 *
 * @module
 */
import * as v from "valibot";

/** Keys shared by every feed, whatever its type. */
export const commonFeedKeys = {
  name: v.pipe(v.string(), v.minLength(1, "must not be empty")),
  broadcast: v.optional(v.boolean(), false),
  wrapWithNamedEvent: v.optional(v.boolean(), false),
  cacheEventLog: v.optional(v.literal(false, "pre-start caching (cacheEventLog: true) is not available yet"), false),
};

/** Keys shared by every sink, whatever its type. */
export const commonSinkKeys = {
  name: v.pipe(v.string(), v.minLength(1, "must not be empty")),
};

/** Where a component of this type runs. */
export type ComponentHost = "supervisor";

/** A registered feed or sink type. */
export interface ComponentType {
  /** The `type:` value. */
  type: string;
  /** One-line description for docs and `--help`. */
  description: string;
  /** Keys specific to this type (merged with the common keys). */
  keys: v.ObjectEntries;
  /** The thread that hosts it. */
  host: ComponentHost;
}

/** Built-in feed types. */
export const feedTypes: ComponentType[] = [
  { type: "memory", description: "values offered by the embedding program (server.offer)", keys: {}, host: "supervisor" },
];

/** Built-in sink types. */
export const sinkTypes: ComponentType[] = [
  { type: "memory", description: "values kept in memory for the embedding program (server.sink(name))", keys: {}, host: "supervisor" },
  { type: "console", description: "one line per value on stdout", keys: {}, host: "supervisor" },
];
