/**
 * What the server shows of itself: its topology and health, as JSON-friendly data. Produced by
 * `MongooseServer` and read by the embedding program and the admin server alike.
 *
 * @example
 * ```ts
 * const { agents } = server.topology();
 * const live = server.health().live;
 * ```
 *
 * @module
 */
import type { IdleStrategySpec } from "../../agent/idle-strategy.ts";
import type { HandlerPausePolicy } from "../../plan/tuning.ts";
import type { CircuitState } from "../circuit-breaker.ts";
import type { AgentStatus } from "./agent-health.ts";
import type { RingInfo } from "./ring-registry.ts";
import type { Versions } from "../../plan/versions.ts";
import type { ServiceInfo } from "./service-registrar.ts";

/** Agents, feeds, sinks and rings, as JSON-friendly data. */
export interface Topology {
  agents: {
    name: string;
    mode: "worker" | "inline";
    /** The idle strategy it runs now (runtime tuning may have switched it), with its parameters in `idle`. */
    idleStrategy: string;
    idle: IdleStrategySpec;
    /** Most events it takes from one ring per duty cycle, now. */
    batchSize: number;
    /** Settings tuned away from the configuration at runtime (`idleStrategy`, `batchSize`); absent when none. */
    tuned?: string[];
    /** The CPU configured in `agentThreads[].coreId`; `pinnedCore` says whether it took effect. */
    coreId?: number;
    /** The CPU the agent's thread is actually pinned to; absent when it is not pinned. */
    pinnedCore?: number;
    /** What became of `coreId`: `pinned to CPU 1 (tid 12345)` or `not pinned: <why>`; absent without a `coreId`. */
    pinning?: string;
    state: string;
    /** Restart attempts after its worker died (as the restart budget counts them); present for agents with `restart: always`. */
    restarts?: number;
    /** `circuit`: the state of its circuit breaker, if it has one. */
    handlers: { name: string; subscriptions: string[]; circuit?: CircuitState; paused?: HandlerPausePolicy }[];
    feeds: string[];
    sinks: string[];
  }[];
  /** `connected`: a NATS feed's or sink's connection (its `nats_connected` gauge); absent for other types. */
  feeds: { name: string; type: string; broadcast: boolean; host: string; subscribers: string[]; connected?: boolean; paused?: true }[];
  sinks: { name: string; type: string; host: string; writers: string[]; circuit?: CircuitState; connected?: boolean }[];
  services: ServiceInfo[];
  /** `tuned`: its `onFull` was changed at runtime (the ring's own `onFull` is the policy in force). */
  rings: (RingInfo & { tuned?: true })[];
  /** The engine's, the runtime's, the config schema's and the plugin API's versions, and every plugin module's. */
  versions: Versions;
}

/** Liveness of the server and each agent. */
export interface Health {
  /** True while every agent's duty cycle is responsive (an agent being restarted counts as live). */
  live: boolean;
  agents: AgentStatus[];
}
