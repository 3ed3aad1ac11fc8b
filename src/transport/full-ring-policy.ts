/**
 * What a producer does with an event when its ring is full (`onFull`). The policy is stored in the ring's
 * header when the ring is created, so both ends read the same one. Runtime tuning may change it while the
 * ring runs (`subscription.onFull`): only the producer writes it then, in an order with the consumer that
 * `RingProducer.changePolicy` explains.
 *
 * - `block` (default): wait for space; nothing is lost.
 * - `dropNewest`: the event that does not fit is dropped at once.
 * - `dropOldest`: the producer discards the oldest events the consumer has not taken to make room.
 * - `disconnect`: the subscriber is detached; this event and every later one are dropped for it.
 *
 * @module
 */

/** The policies, in the order of their codes in the ring header. */
export const FULL_RING_POLICIES = ["block", "dropNewest", "dropOldest", "disconnect"] as const;

/**
 * A full ring's policy.
 *
 * @example
 * ```ts
 * const policy: FullRingPolicy = "dropOldest";
 * ```
 */
export type FullRingPolicy = typeof FULL_RING_POLICIES[number];

/** Header codes of the policies. */
export const BLOCK = 0;
export const DROP_NEWEST = 1;
export const DROP_OLDEST = 2;
export const DISCONNECT = 3;

/**
 * The header code of `policy`.
 *
 * @example
 * ```ts
 * fullRingPolicyCode("dropNewest"); // 1
 * ```
 */
export function fullRingPolicyCode(policy: FullRingPolicy): number {
  return FULL_RING_POLICIES.indexOf(policy);
}

/** Why an event did not reach a subscriber's ring, as counted in the ring header and in metrics. */
export type DropReason = "dropNewest" | "dropOldest" | "disconnected";
