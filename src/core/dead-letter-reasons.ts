/**
 * Why an event can become a dead letter: the closed list that counters (one per reason) and dead-letter
 * records share.
 *
 * @example
 * ```ts
 * import { DEAD_LETTER_REASONS } from "./dead-letter-reasons.ts";
 * DEAD_LETTER_REASONS.includes("parse-error"); // true
 * ```
 *
 * @module
 */

/** Why an event became a dead letter. */
export const DEAD_LETTER_REASONS = ["parse-error", "mapper-error", "encode-error", "handler-error", "circuit-open", "held-at-stop", "bad-replay-record"] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
