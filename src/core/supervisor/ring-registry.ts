/**
 * Every ring of a server and why it exists. The registry decides which rings to create (one per
 * producing agent, consuming agent and feed or sink) from the plan and from what agents ask for, creates
 * their shared memory, and says which end goes to which agent. It also answers the topology: who
 * subscribes to what, who writes where, and each ring's live statistics.
 *
 * Rings the plan already determines (broadcast feeds into every agent with handlers) are created before
 * any agent starts and travel in the boot messages; the rest are created when an agent's components ask
 * (a handler's `ctx.subscribe` or first `ctx.sink`), in one batch per agent and lifecycle phase.
 *
 * @module
 */
import type { FeedPlan, ServerPlan } from "../../plan/types.ts";
import { type FullRingPolicy, fullRingPolicyCode } from "../../transport/full-ring-policy.ts";
import { createRingBuffer, readRingStats, type RingStats } from "../../transport/ring.ts";
import type { Endpoint, Wants } from "../protocol.ts";

/** One ring, its two ends and its live statistics. */
export interface RingInfo extends RingStats {
  kind: "feed" | "sink";
  /** Feed or sink name. */
  name: string;
  producer: string;
  consumer: string;
}

/** One ring's record: the shared memory and the agents at its ends. */
export interface RingRecord {
  kind: "feed" | "sink";
  name: string;
  producer: string;
  consumer: string;
  buffer: SharedArrayBuffer;
}

/** New ring ends to hand out, by agent. */
export type EndpointBatch = Map<string, Endpoint[]>;

/**
 * @example
 * ```ts
 * const registry = new RingRegistry(plan, 256 * 1024, (agent) => signalsOf(agent));
 * const boot = registry.planned();                  // broadcast rings, by agent
 * const more = registry.connect("processor", wants); // rings a phase asked for, by agent
 * registry.ringInfo();                              // live statistics of every ring
 * ```
 */
export class RingRegistry {
  private readonly rings: RingRecord[] = [];
  private readonly subscriptions = new Map<string, Map<string, Set<string>>>();
  /** Agents that subscribed to each feed or pipe. */
  private readonly subscribers = new Map<string, Set<string>>();
  /** Agents that write to each pipe. */
  private readonly pipeWriters = new Map<string, Set<string>>();
  /** `onFull` of handlers being added at runtime (not in the plan until they have started), by agent. */
  private readonly addedPolicies = new Map<string, Record<string, FullRingPolicy>>();

  constructor(
    private readonly plan: ServerPlan,
    private readonly ringCapacity: number,
    /** Each agent's signal words: a producer wakes its consumer through them. */
    private readonly signalsOf: (agent: string) => SharedArrayBuffer,
  ) {}

  /** Records what the plan determines (every handler receives every broadcast feed) and creates those rings. */
  planned(): EndpointBatch {
    const batch: EndpointBatch = new Map();
    const broadcast = this.plan.feeds.filter((feed) => feed.broadcast);
    for (const agent of this.plan.agents.filter((a) => a.handlers.length > 0)) {
      for (const feed of broadcast) {
        for (const handler of agent.handlers) this.recordSubscription(agent.name, handler.name, feed.name);
        this.subscribed(feed.name, agent.name, batch);
      }
    }
    return batch;
  }

  /** Records what `agent`'s components asked for and creates the rings that are new. */
  connect(agent: string, wants: Wants, batch: EndpointBatch = new Map()): EndpointBatch {
    for (const { handler, feed } of wants.subscriptions) {
      this.recordSubscription(agent, handler, feed);
      this.subscribed(feed, agent, batch);
    }
    for (const sink of wants.sinks) this.writing(sink, agent, batch);
    return batch;
  }

  /**
   * Full-ring policies a handler being added to `agent` asks for, so the rings it subscribes to while it
   * starts get them (the handler joins the plan only once started).
   *
   * @example
   * ```ts
   * registry.expectPolicies("late-agent", { prices: "dropOldest" });
   * ```
   */
  expectPolicies(agent: string, onFull: Record<string, FullRingPolicy>): void {
    this.addedPolicies.set(agent, { ...this.addedPolicies.get(agent), ...onFull });
  }

  /** Feeds each handler of `agent` receives, by handler. */
  subscriptionsOf(agent: string): ReadonlyMap<string, ReadonlySet<string>> {
    return this.subscriptions.get(agent) ?? new Map();
  }

  /** Every ring with its live statistics. */
  ringInfo(): RingInfo[] {
    return this.rings.map(({ buffer, ...ring }) => ({ ...ring, ...readRingStats(buffer) }));
  }

  /**
   * Both ends of every ring `agent` is at, to hand a restarted agent the very rings its predecessor
   * used: what it had not consumed is still in them, and its producers resume from the published head.
   */
  endpointsOf(agent: string): Endpoint[] {
    return this.ringsOf(agent).flatMap((ring) => {
      const ends = this.endsOf(ring);
      return [...ring.consumer === agent ? [ends.consumer] : [], ...ring.producer === agent ? [ends.producer] : []];
    });
  }

  /** The rings with `agent` at one end. */
  ringsOf(agent: string): RingRecord[] {
    return this.rings.filter((ring) => ring.producer === agent || ring.consumer === agent);
  }

  /**
   * Forgets a removed handler's subscriptions. `released` are the feeds no handler on `agent` receives any
   * more: the agent stops subscribing to them, and their rings into it are returned, to be closed.
   */
  releaseHandler(agent: string, handler: string, released: readonly string[]): RingRecord[] {
    this.subscriptions.get(agent)?.delete(handler);
    for (const feed of released) this.subscribers.get(feed)?.delete(agent);
    return this.rings.filter((ring) => ring.kind === "feed" && ring.consumer === agent && released.includes(ring.name));
  }

  /** Forgets a removed feed and every subscription to it; returns its rings, to be drained. */
  releaseFeed(feed: string): RingRecord[] {
    for (const byHandler of this.subscriptions.values()) for (const feeds of byHandler.values()) feeds.delete(feed);
    this.subscribers.delete(feed);
    return this.rings.filter((ring) => ring.kind === "feed" && ring.name === feed);
  }

  /** Forgets rings that were closed and drained. */
  forget(rings: readonly RingRecord[]): void {
    for (const ring of rings) {
      const index = this.rings.indexOf(ring);
      if (index >= 0) this.rings.splice(index, 1);
    }
  }

  /** Whether the plan has any pipe. */
  get hasPipes(): boolean {
    return this.plan.feeds.some((f) => f.type === "pipe");
  }

  /** Statistics of every pipe ring. */
  pipeRingStats(): RingStats[] {
    const pipes = new Set(this.plan.feeds.filter((f) => f.type === "pipe").map((f) => f.name));
    return this.rings.filter((r) => r.kind === "feed" && pipes.has(r.name)).map((r) => readRingStats(r.buffer));
  }

  private recordSubscription(agent: string, handler: string, feed: string): void {
    const byHandler = this.subscriptions.get(agent) ?? new Map<string, Set<string>>();
    this.subscriptions.set(agent, byHandler);
    byHandler.set(handler, (byHandler.get(handler) ?? new Set<string>()).add(feed));
  }

  /** An agent subscribed to a feed: a ring from the feed's host, or from every agent writing to the pipe. */
  private subscribed(feedName: string, agent: string, batch: EndpointBatch): void {
    const feed = this.plan.feeds.find((f) => f.name === feedName);
    if (!feed) return;
    const subscribers = this.subscribers.get(feedName) ?? new Set<string>();
    if (subscribers.has(agent)) return;
    this.subscribers.set(feedName, subscribers.add(agent));
    if (feed.type !== "pipe") return this.wire("feed", feed.name, feed.id, feed.host, agent, batch, feed);
    for (const writer of this.pipeWriters.get(feedName) ?? []) {
      if (writer !== agent) this.wire("feed", feed.name, feed.id, writer, agent, batch, feed);
    }
  }

  /** An agent writes to a sink: a ring to the sink's host, or to every agent subscribed to the pipe. */
  private writing(sinkName: string, agent: string, batch: EndpointBatch): void {
    const sink = this.plan.sinks.find((s) => s.name === sinkName);
    if (!sink) return;
    if (sink.type !== "pipe") return this.wire("sink", sink.name, sink.id, agent, sink.host, batch);
    const pipe = this.plan.feeds.find((f) => f.name === sink.pipe)!;
    const writers = this.pipeWriters.get(pipe.name) ?? new Set<string>();
    this.pipeWriters.set(pipe.name, writers.add(agent));
    for (const subscriber of this.subscribers.get(pipe.name) ?? []) {
      if (subscriber !== agent) this.wire("feed", pipe.name, pipe.id, agent, subscriber, batch, pipe);
    }
  }

  /**
   * The policy of the ring from `feed` into `agent`: what a handler on the agent asks for (handlers of one
   * agent agree, the configuration checks it), else the feed's own. Fixed when the ring is created.
   */
  private fullRingPolicy(feed: FeedPlan, agent: string): number {
    const handlers = this.plan.agents.find((a) => a.name === agent)?.handlers ?? [];
    const asked = this.addedPolicies.get(agent)?.[feed.name] ?? handlers.find((handler) => handler.onFull?.[feed.name] !== undefined)?.onFull?.[feed.name];
    return fullRingPolicyCode(asked ?? feed.onFull ?? "block");
  }

  /**
   * Creates the ring from `producer` to `consumer` for a feed (or pipe) or a sink, unless it exists, and
   * adds its ends to the batch. A feed's ring takes the feed's capacity and full-ring policy.
   */
  private wire(kind: "feed" | "sink", name: string, id: number, producer: string, consumer: string, batch: EndpointBatch, feed?: FeedPlan): void {
    if (this.rings.some((r) => r.kind === kind && r.name === name && r.producer === producer && r.consumer === consumer)) return;
    const buffer = feed
      ? createRingBuffer(feed.ringCapacity ?? this.ringCapacity, id, this.fullRingPolicy(feed, consumer))
      : createRingBuffer(this.ringCapacity, id);
    const record: RingRecord = { kind, name, producer, consumer, buffer };
    this.rings.push(record);
    const ends = this.endsOf(record);
    const add = (agent: string, endpoint: Endpoint) => batch.set(agent, [...(batch.get(agent) ?? []), endpoint]);
    add(consumer, ends.consumer);
    add(producer, ends.producer);
  }

  /** The consuming and producing ends of a ring, as handed to its agents. */
  private endsOf({ kind, name, producer, consumer, buffer: ring }: RingRecord): { consumer: Endpoint; producer: Endpoint } {
    const consumerSignals = this.signalsOf(consumer);
    if (kind === "feed") {
      return {
        consumer: { kind: "feedConsumer", feed: name, ring },
        producer: { kind: "feedProducer", feed: name, ring, consumerAgent: consumer, consumerSignals },
      };
    }
    return {
      consumer: { kind: "sinkConsumer", sink: name, ring, producerAgent: producer },
      producer: { kind: "sinkProducer", sink: name, ring, consumerSignals },
    };
  }
}
