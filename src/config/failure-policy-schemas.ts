/**
 * The schemas of a handler's `retry` and a handler's or sink's `circuitBreaker`, with their defaults.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * v.parse(retrySchema, { attempts: 5 }); // { attempts: 5, backoffMs: 100, maxBackoffMs: 10000, ordered: true }
 * ```
 *
 * @module
 */
import * as v from "valibot";
import { oneOf, positiveInteger } from "./schema-parts.ts";

const millis = v.pipe(v.number(), v.finite("must be a finite number"), v.minValue(0, "must be ≥ 0"));
const positiveMillis = v.pipe(v.number(), v.finite("must be a finite number"), v.minValue(1, "must be ≥ 1"));

/** `retry: {attempts, backoffMs, maxBackoffMs, ordered}`: `attempts` counts every call, the first included. */
export const retrySchema = v.pipe(
  v.strictObject({
    attempts: v.optional(v.pipe(positiveInteger, v.minValue(2, "must be ≥ 2 (the first call and at least one retry)"), v.maxValue(1000, "must be ≤ 1000")), 3),
    backoffMs: v.optional(millis, 100),
    maxBackoffMs: v.optional(millis, 10_000),
    ordered: v.optional(v.boolean(), true),
  }),
  v.forward(
    v.check((retry) => retry.maxBackoffMs >= retry.backoffMs, "must be ≥ backoffMs"),
    ["maxBackoffMs"],
  ),
);

/** What a circuit breaker does with events while it is open. */
export const WHEN_OPEN = ["deadLetter", "hold"] as const;

/** `circuitBreaker: {failures, windowMs, openMs, whenOpen}`. */
export const circuitBreakerSchema = v.strictObject({
  failures: v.optional(positiveInteger, 5),
  windowMs: v.optional(positiveMillis, 10_000),
  openMs: v.optional(positiveMillis, 30_000),
  whenOpen: v.optional(oneOf(WHEN_OPEN), "deadLetter"),
});
