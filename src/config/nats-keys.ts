/**
 * The keys of `type: nats` feeds and sinks: the connection keys both share, and each one's own. Checked
 * by the configuration schema like every other type's keys (unknown keys are errors, located by path).
 *
 * @module
 */
import * as v from "valibot";
import { nonEmptyName, positiveInteger } from "./schema-parts.ts";

/** `deliverPolicy` names; `{startSequence: N}` and `{startTime: ISO-8601}` start elsewhere. */
export const NATS_DELIVER_POLICIES = ["all", "new", "last"] as const;

const DELIVER_POLICY_PROBLEM = `expected one of ${NATS_DELIVER_POLICIES.join(", ")}, {startSequence: N} or {startTime: ISO-8601 time}`;

const deliverPolicyObject = v.union([
  v.strictObject({ startSequence: positiveInteger }),
  v.strictObject({
    startTime: v.pipe(v.string(), v.check((text) => !Number.isNaN(Date.parse(text)), "expected an ISO-8601 time, e.g. 2026-12-02T17:00:00Z")),
  }),
], DELIVER_POLICY_PROBLEM);

/** `deliverPolicy`: a name, or a start position (checked as an object, so a wrong key is named). */
const deliverPolicy = v.lazy((input) =>
  typeof input === "object" && input !== null && !Array.isArray(input)
    ? deliverPolicyObject
    : v.picklist(NATS_DELIVER_POLICIES, (issue) => `${DELIVER_POLICY_PROBLEM}, got ${issue.received}`)
);

/** `servers`: one URL or a list of them. */
const servers = v.pipe(
  v.union([nonEmptyName, v.pipe(v.array(nonEmptyName), v.minLength(1, "needs at least one server"))], "expected a server URL or a list of them"),
  v.transform((value) => typeof value === "string" ? [value] : value),
);

/** Connection keys of every NATS feed and sink. */
const connectionKeys = {
  servers,
  subject: nonEmptyName,
  token: v.optional(nonEmptyName),
  user: v.optional(nonEmptyName),
  password: v.optional(v.string()),
  /** A `.creds` file (JWT and NKey seed), relative to the YAML file. */
  credsFile: v.optional(nonEmptyName),
  tls: v.optional(v.strictObject({ caFile: v.optional(nonEmptyName), certFile: v.optional(nonEmptyName), keyFile: v.optional(nonEmptyName) })),
};

/** The keys of a `type: nats` feed (a durable JetStream pull consumer). */
export const natsFeedKeys: v.ObjectEntries = {
  ...connectionKeys,
  /** The stream; if the broker has none by that name it is created over `subject` (unless `createStream: false`). */
  stream: v.optional(nonEmptyName),
  createStream: v.optional(v.boolean(), true),
  /** The durable consumer every instance naming it shares (they split the messages). */
  durable: v.optional(nonEmptyName),
  deliverPolicy: v.optional(deliverPolicy, "all"),
  ackWaitMs: v.optional(positiveInteger, 30_000),
  maxAckPending: v.optional(positiveInteger, 1024),
};

/** The keys of a `type: nats` sink. */
export const natsSinkKeys: v.ObjectEntries = {
  ...connectionKeys,
  /** JetStream publish (awaits the stream's ack, retried) or core publish (fire-and-forget). */
  jetstream: v.optional(v.boolean(), true),
  /** Template of the `Nats-Msg-Id` header (deduplication), e.g. `"{orderId}"`. */
  msgId: v.optional(nonEmptyName),
};
