/**
 * Runtime tuning: the settings an operator may change on a running server without a restart (an agent's
 * idle strategy and batch size, a subscription's full-ring policy, a paused feed or handler), as the
 * changes the supervisor sends to the owning agent and as the overlay that lists what differs from the
 * configuration.
 *
 * @module
 */
import type { IdleStrategySpec } from "../agent/idle-strategy.ts";
import type { FullRingPolicy } from "../transport/full-ring-policy.ts";

/**
 * What a paused handler's events become: `hold` stops its agent consuming the rings of the feeds it
 * receives (nothing is lost; the rings fill and the feed's `onFull` applies upstream), `drop` delivers
 * them to nobody and counts them in `handler_paused_dropped_total`.
 *
 * @example
 * ```ts
 * const policy: HandlerPausePolicy = "hold";
 * ```
 */
export type HandlerPausePolicy = "hold" | "drop";

/**
 * The pause policies, default first.
 *
 * @example
 * ```ts
 * HANDLER_PAUSE_POLICIES.includes("drop"); // true
 * ```
 */
export const HANDLER_PAUSE_POLICIES: readonly HandlerPausePolicy[] = ["hold", "drop"];

/**
 * One change, applied on the agent that owns what it changes, between two duty cycles.
 *
 * @example
 * ```ts
 * const change: TuningChange = { kind: "batchSize", size: 16 };
 * ```
 */
export type TuningChange =
  | { kind: "idleStrategy"; spec: IdleStrategySpec }
  | { kind: "batchSize"; size: number }
  /** On the agent producing `feed` into `consumerAgent`'s ring. */
  | { kind: "onFull"; feed: string; consumerAgent: string; policy: FullRingPolicy }
  /** On the agent hosting the feed. */
  | { kind: "pauseFeed"; feed: string; paused: boolean }
  /** On the handler's agent; `policy` absent resumes it. */
  | { kind: "pauseHandler"; handler: string; policy?: HandlerPausePolicy };

/**
 * What is tuned away from the configuration: the shape `tuning.show` answers and the overlay file holds
 * (YAML). Only settings that differ are present.
 *
 * @example
 * ```ts
 * const overlay: TuningOverlay = { agents: { processor: { idleStrategy: { type: "blocking" }, batchSize: 16 } }, feeds: { trades: { paused: true } } };
 * ```
 */
export interface TuningOverlay {
  agents?: Record<string, { idleStrategy?: IdleStrategySpec; batchSize?: number }>;
  /** Per feed, per consuming agent: the policy of that ring. */
  subscriptions?: Record<string, Record<string, FullRingPolicy>>;
  feeds?: Record<string, { paused: true }>;
  /** By `agent/handler`: paused, and how. */
  handlers?: Record<string, { paused: HandlerPausePolicy }>;
}
