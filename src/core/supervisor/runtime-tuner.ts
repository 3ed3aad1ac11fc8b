/**
 * Runtime tuning on the supervisor's side: checks each change against the running plan, sends it to the
 * agent that owns what it changes (answered once applied there), and remembers what now differs from the
 * configuration, so it can be shown, reverted (`tuning.reset`) and written as an overlay (`tuning.persist`).
 *
 * Nothing here is persisted by itself: a restart of the server runs the configuration again (plus the
 * overlay file, when one is applied at boot). A worker agent restarted by supervision boots from the
 * plan, and {@link RuntimeTuner.retune} brings its tuning back before it runs (ring policies, kept in the
 * rings' headers, survive by themselves).
 *
 * @module
 */
import type { IdleStrategySpec } from "../../agent/idle-strategy.ts";
import { HANDLER_PAUSE_POLICIES, type HandlerPausePolicy, type TuningChange, type TuningOverlay } from "../../plan/tuning.ts";
import { type AgentPlan, type ServerPlan, SUPERVISOR_AGENT } from "../../plan/types.ts";
import { FULL_RING_POLICIES, type FullRingPolicy } from "../../transport/full-ring-policy.ts";
import { UnknownComponentError } from "../errors.ts";
import type { RingInfo } from "./ring-registry.ts";

/**
 * Largest batch size accepted (a poll never takes more than a ring holds anyway).
 *
 * @example
 * ```ts
 * await tuner.batchSize("processor", MAX_BATCH_SIZE); // the most; one more is refused
 * ```
 */
export const MAX_BATCH_SIZE = 1 << 20;

/** Feed types whose publishing is not a duty cycle's `doWork`, so pausing cannot stop it. */
const UNPAUSABLE_FEEDS: Record<string, string> = {
  memory: "the embedding program offers to it directly",
  pipe: "handlers write to it",
  service: "its service publishes to it",
};

/** What the tuner needs from the supervisor. */
export interface TunerContext {
  /** The running plan (it grows with runtime registration). */
  plan(): ServerPlan;
  /** The server-wide default batch size. */
  defaultBatchSize: number;
  rings(): RingInfo[];
  /** Sends `change` to `agent`; resolves once applied there. */
  send(agent: string, change: TuningChange): Promise<void>;
}

/** An agent's effective settings, and which of them differ from the configuration. */
export interface AgentTuning {
  idleStrategy: IdleStrategySpec;
  batchSize: number;
  tuned: ("idleStrategy" | "batchSize")[];
}

/**
 * @example
 * ```ts
 * const tuner = new RuntimeTuner({ plan: () => supervisor.plan, defaultBatchSize: 256, rings: () => supervisor.ringInfo(), send });
 * await tuner.batchSize("processor", 16);
 * tuner.overlay(); // { agents: { processor: { batchSize: 16 } } }
 * await tuner.reset();
 * ```
 */
export class RuntimeTuner {
  private readonly idle = new Map<string, IdleStrategySpec>();
  private readonly batches = new Map<string, number>();
  /** Tuned ring policies by feed, then consuming agent; with each ring's policy before its first change. */
  private readonly policies = new Map<string, Map<string, { policy: FullRingPolicy; configured: FullRingPolicy }>>();
  private readonly pausedFeeds = new Set<string>();
  /** By `agent/handler`. */
  private readonly pausedHandlers = new Map<string, HandlerPausePolicy>();
  /** Changes run one at a time, so an onFull's two steps and a reset never interleave with another change. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly context: TunerContext) {}

  /** Switches `agent`'s idle strategy from its next idle cycle. */
  idleStrategy(agent: string, spec: IdleStrategySpec): Promise<void> {
    const plan = this.agent(agent);
    return this.one(async () => {
      await this.context.send(agent, { kind: "idleStrategy", spec });
      if (sameSpec(spec, plan.idle)) this.idle.delete(agent);
      else this.idle.set(agent, spec);
    });
  }

  /** Sets the most events `agent` takes from one ring per duty cycle, from its next poll. */
  batchSize(agent: string, size: number): Promise<void> {
    const plan = this.agent(agent);
    if (!Number.isInteger(size) || size < 1 || size > MAX_BATCH_SIZE) {
      throw new UnknownComponentError(`batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}, got ${size}`);
    }
    return this.one(async () => {
      await this.context.send(agent, { kind: "batchSize", size });
      if (size === this.configuredBatchSize(plan)) this.batches.delete(agent);
      else this.batches.set(agent, size);
    });
  }

  /** Sets the policy of the ring carrying `feed` into `agent` (both ends switch, in the order that keeps it safe). */
  onFull(feed: string, agent: string, policy: FullRingPolicy): Promise<void> {
    if (!FULL_RING_POLICIES.includes(policy)) throw new UnknownComponentError(`onFull must be one of ${FULL_RING_POLICIES.join(", ")}, got "${policy}"`);
    const ring = this.ring(feed, agent);
    return this.one(async () => {
      const change: TuningChange = { kind: "onFull", feed, consumerAgent: agent, policy };
      // dropOldest: the consumer reads the ring its way first; away from it, the producer stops discarding first.
      const order = policy === "dropOldest" ? [ring.consumer, ring.producer] : [ring.producer, ring.consumer];
      for (const end of new Set(order)) await this.context.send(end, change);
      const byAgent = this.policies.get(feed) ?? new Map();
      const configured = byAgent.get(agent)?.configured ?? ring.onFull;
      if (policy === configured) byAgent.delete(agent);
      else byAgent.set(agent, { policy, configured });
      this.policies.set(feed, byAgent);
      if (byAgent.size === 0) this.policies.delete(feed);
    });
  }

  /** Pauses (`true`) or resumes a feed: its `doWork` is not called while paused. */
  pauseFeed(feed: string, paused: boolean): Promise<void> {
    const plan = this.context.plan().feeds.find((f) => f.name === feed);
    if (!plan) throw new UnknownComponentError(`no feed "${feed}" (feeds: ${this.context.plan().feeds.map((f) => f.name).join(", ") || "none"})`);
    const why = UNPAUSABLE_FEEDS[plan.type];
    if (why) throw new UnknownComponentError(`feed "${feed}" cannot be paused: it is a ${plan.type} feed (${why}), not one an agent reads in its duty cycle`);
    return this.one(async () => {
      await this.context.send(plan.host, { kind: "pauseFeed", feed, paused });
      if (paused) this.pausedFeeds.add(feed);
      else this.pausedFeeds.delete(feed);
    });
  }

  /** Pauses a handler, named `agent/handler` or by a name only one agent has, under `policy`; undefined resumes it. */
  pauseHandler(name: string, policy: HandlerPausePolicy | undefined): Promise<void> {
    if (policy !== undefined && !HANDLER_PAUSE_POLICIES.includes(policy)) throw new UnknownComponentError(`a handler's pause policy must be one of ${HANDLER_PAUSE_POLICIES.join(", ")}, got "${policy}"`);
    const { agent, handler } = this.handler(name);
    return this.one(async () => {
      await this.context.send(agent, { kind: "pauseHandler", handler, policy });
      if (policy) this.pausedHandlers.set(`${agent}/${handler}`, policy);
      else this.pausedHandlers.delete(`${agent}/${handler}`);
    });
  }

  /** What differs from the configuration, as the overlay file holds it (for components that still exist). */
  overlay(): TuningOverlay {
    this.forgetRemoved();
    const overlay: TuningOverlay = {};
    const agents: NonNullable<TuningOverlay["agents"]> = {};
    for (const [agent, spec] of this.idle) agents[agent] = { ...agents[agent], idleStrategy: spec };
    for (const [agent, size] of this.batches) agents[agent] = { ...agents[agent], batchSize: size };
    if (Object.keys(agents).length > 0) overlay.agents = agents;
    if (this.policies.size > 0) {
      overlay.subscriptions = Object.fromEntries([...this.policies].map(([feed, byAgent]) => [feed, Object.fromEntries([...byAgent].map(([agent, { policy }]) => [agent, policy]))]));
    }
    if (this.pausedFeeds.size > 0) overlay.feeds = Object.fromEntries([...this.pausedFeeds].map((feed) => [feed, { paused: true as const }]));
    if (this.pausedHandlers.size > 0) overlay.handlers = Object.fromEntries([...this.pausedHandlers].map(([path, policy]) => [path, { paused: policy }]));
    return overlay;
  }

  /**
   * Applies every setting of `overlay` (at boot, from the overlay file). A setting that no longer fits
   * the configuration (an agent or feed since renamed) is skipped, the others still applied; returns why
   * each skipped one was.
   */
  async apply(overlay: TuningOverlay): Promise<string[]> {
    const steps: (() => Promise<void>)[] = [];
    for (const [agent, settings] of Object.entries(overlay.agents ?? {})) {
      if (settings.idleStrategy) steps.push(() => this.idleStrategy(agent, settings.idleStrategy!));
      if (settings.batchSize !== undefined) steps.push(() => this.batchSize(agent, settings.batchSize!));
    }
    for (const [feed, byAgent] of Object.entries(overlay.subscriptions ?? {})) {
      for (const [agent, policy] of Object.entries(byAgent)) steps.push(() => this.onFull(feed, agent, policy));
    }
    for (const feed of Object.keys(overlay.feeds ?? {})) steps.push(() => this.pauseFeed(feed, true));
    for (const [path, { paused }] of Object.entries(overlay.handlers ?? {})) steps.push(() => this.pauseHandler(path, paused));
    const skipped: string[] = [];
    for (const step of steps) {
      try {
        await step();
      } catch (thrown) {
        if (!(thrown instanceof UnknownComponentError)) throw thrown;
        skipped.push(thrown.message);
      }
    }
    return skipped;
  }

  /** Reverts everything to the configuration; returns what was tuned before. */
  async reset(): Promise<TuningOverlay> {
    this.forgetRemoved();
    const before = this.overlay();
    for (const agent of [...this.idle.keys()]) await this.idleStrategy(agent, this.agent(agent).idle);
    for (const agent of [...this.batches.keys()]) await this.batchSize(agent, this.configuredBatchSize(this.agent(agent)));
    for (const [feed, byAgent] of [...this.policies]) {
      for (const [agent, { configured }] of [...byAgent]) await this.onFull(feed, agent, configured);
    }
    for (const feed of [...this.pausedFeeds]) await this.pauseFeed(feed, false);
    for (const path of [...this.pausedHandlers.keys()]) await this.pauseHandler(path, undefined);
    return before;
  }

  /**
   * Sends a restarted agent its tuning again: idle strategy, batch size and paused feeds once its
   * components are built (`components`, before they start), paused handlers once they started (`handlers`:
   * a held handler's rings are known only then). Not queued: the restart waits for it.
   */
  async retune(agent: string, stage: "components" | "handlers"): Promise<void> {
    const send = (change: TuningChange) => this.context.send(agent, change);
    if (stage === "components") {
      const idle = this.idle.get(agent);
      if (idle) await send({ kind: "idleStrategy", spec: idle });
      const size = this.batches.get(agent);
      if (size !== undefined) await send({ kind: "batchSize", size });
      const hosted = this.context.plan().feeds.filter((f) => f.host === agent && this.pausedFeeds.has(f.name));
      for (const feed of hosted) await send({ kind: "pauseFeed", feed: feed.name, paused: true });
      return;
    }
    for (const [path, policy] of this.pausedHandlers) {
      if (path.startsWith(`${agent}/`)) await send({ kind: "pauseHandler", handler: path.slice(agent.length + 1), policy });
    }
  }

  /** `agent`'s effective idle strategy and batch size, and which differ from the configuration. */
  agentTuning(agent: AgentPlan): AgentTuning {
    const idle = this.idle.get(agent.name);
    const batch = this.batches.get(agent.name);
    return {
      idleStrategy: idle ?? agent.idle,
      batchSize: batch ?? this.configuredBatchSize(agent),
      tuned: [...idle ? ["idleStrategy" as const] : [], ...batch !== undefined ? ["batchSize" as const] : []],
    };
  }

  /** Whether `feed` is paused. */
  feedPaused(feed: string): boolean {
    return this.pausedFeeds.has(feed);
  }

  /** How the handler is paused, or undefined when it runs. */
  handlerPaused(agent: string, handler: string): HandlerPausePolicy | undefined {
    return this.pausedHandlers.get(`${agent}/${handler}`);
  }

  /** Whether the ring carrying `feed` into `agent` has a policy other than configured. */
  ringTuned(feed: string, agent: string): boolean {
    return this.policies.get(feed)?.has(agent) ?? false;
  }

  /** Drops what was tuned on agents, feeds, handlers and rings removed since (runtime registration). */
  private forgetRemoved(): void {
    const plan = this.context.plan();
    const agents = new Set(plan.agents.map((a) => a.name));
    const handlers = new Set(plan.agents.flatMap((a) => a.handlers.map((h) => `${a.name}/${h.name}`)));
    const feeds = new Set(plan.feeds.map((f) => f.name));
    const rings = new Set(this.context.rings().map((r) => `${r.name}\u0000${r.consumer}`));
    for (const agent of [...this.idle.keys()]) if (!agents.has(agent)) this.idle.delete(agent);
    for (const agent of [...this.batches.keys()]) if (!agents.has(agent)) this.batches.delete(agent);
    for (const feed of [...this.pausedFeeds]) if (!feeds.has(feed)) this.pausedFeeds.delete(feed);
    for (const path of [...this.pausedHandlers.keys()]) if (!handlers.has(path)) this.pausedHandlers.delete(path);
    for (const [feed, byAgent] of [...this.policies]) {
      for (const agent of [...byAgent.keys()]) if (!rings.has(`${feed}\u0000${agent}`)) byAgent.delete(agent);
      if (byAgent.size === 0) this.policies.delete(feed);
    }
  }

  private one(change: () => Promise<void>): Promise<void> {
    const next = this.queue.then(change);
    this.queue = next.catch(() => {});
    return next;
  }

  private configuredBatchSize(agent: AgentPlan): number {
    return agent.batchSize ?? this.context.defaultBatchSize;
  }

  private agent(name: string): AgentPlan {
    const agents = this.context.plan().agents.filter((a) => a.name !== SUPERVISOR_AGENT);
    const agent = agents.find((a) => a.name === name);
    if (agent) return agent;
    const why = name === SUPERVISOR_AGENT ? "the supervisor's own agent shares the main thread and is not tuned" : "no such agent";
    throw new UnknownComponentError(`agent "${name}": ${why} (agents: ${agents.map((a) => a.name).join(", ") || "none"})`);
  }

  private ring(feed: string, agent: string): RingInfo {
    const rings = this.context.rings().filter((r) => r.kind === "feed" && r.name === feed);
    const plan = this.context.plan().feeds.find((f) => f.name === feed);
    if (!plan) throw new UnknownComponentError(`no feed "${feed}" (feeds: ${this.context.plan().feeds.map((f) => f.name).join(", ") || "none"})`);
    if (plan.type === "pipe") throw new UnknownComponentError(`feed "${feed}" is a pipe: each writer has a ring of its own; set its onFull in the configuration`);
    const ring = rings.find((r) => r.consumer === agent);
    if (!ring) throw new UnknownComponentError(`agent "${agent}" does not subscribe to feed "${feed}" (subscribers: ${rings.map((r) => r.consumer).join(", ") || "none"})`);
    return ring;
  }

  private handler(name: string): { agent: string; handler: string } {
    const slash = name.indexOf("/");
    const agents = this.context.plan().agents;
    const matches = agents.flatMap((agent) =>
      agent.handlers.filter((h) => slash < 0 ? h.name === name : agent.name === name.slice(0, slash) && h.name === name.slice(slash + 1)).map((h) => ({ agent: agent.name, handler: h.name }))
    );
    if (matches.length === 1) return matches[0];
    const all = agents.flatMap((agent) => agent.handlers.map((h) => `${agent.name}/${h.name}`));
    if (matches.length > 1) throw new UnknownComponentError(`handler "${name}" is on several agents: name it agent/handler (${matches.map((m) => `${m.agent}/${m.handler}`).join(", ")})`);
    throw new UnknownComponentError(`no handler "${name}" (handlers: ${all.join(", ") || "none"})`);
  }
}

/** Whether two idle specs say the same (a name and `{type: name}` do). */
function sameSpec(a: IdleStrategySpec, b: IdleStrategySpec): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}
