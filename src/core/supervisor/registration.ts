/**
 * Runtime registration: adding and removing handlers and feeds on a running server, one change at a
 * time. Each step is a control request to the agents concerned, in the order a boot or a stop would take
 * it, so a component registered at runtime behaves like one from the configuration:
 *
 * - add a handler: load it (on a new agent if need be) → init → start (its subscriptions and the
 *   broadcast feeds are wired) → startComplete. A failure stops, tears down and forgets it again.
 * - remove a handler: stop → tearDown → forget it; each ring into its agent that no other handler there
 *   needs is closed by its producer, drained, and dropped.
 * - add a feed: every agent learns of it (broadcast feeds reach every handler) → its host builds it →
 *   init → start → rings wired → startComplete.
 * - remove a feed: stop (its rings close: subscribers see its end) → tearDown → every agent drains and
 *   drops its rings and forgets it.
 *
 * An agent left without handlers keeps running (idle) until the server stops.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import type { AgentPlan, FeedAddition, FeedPlan, HandlerAddition, ServerPlan } from "../../plan/types.ts";
import { SUPERVISOR_AGENT } from "../../plan/types.ts";
import type { AgentEndpoint } from "../agent-endpoint.ts";
import { RegistrationError, UnknownComponentError } from "../errors.ts";
import type { ControlRequest, LifecyclePhase, ReplyTo, Wants } from "../protocol.ts";
import type { AgentGroup } from "./agent-group.ts";
import type { CounterBlocks } from "./counter-blocks.ts";
import type { LatencyBlocks } from "./latency-blocks.ts";
import type { RingRecord, RingRegistry } from "./ring-registry.ts";

/** What registration works with: the supervisor's plan, agents, rings and counters, and the actions only it can take. */
export interface RegistrationContext {
  plan: ServerPlan;
  agents: AgentGroup;
  rings: RingRegistry;
  counters: CounterBlocks;
  /** Undefined when latency recording is off. */
  latency: LatencyBlocks | undefined;
  log: Logger;
  requestTimeoutMs: number;
  drainTimeoutMs: number;
  /** Starts an agent with nothing on it yet, and adds it to the plan. */
  launch(plan: AgentPlan): Promise<void>;
  /** Closes an agent started for a registration that failed, and removes it from the plan. */
  discard(agent: string): Promise<void>;
  /** Creates the rings agents asked for and attaches their ends. */
  connect(wants: Map<string, Wants>): Promise<void>;
}

/** What an added handler or feed became. */
export interface Registered {
  /** `agent/handler` for a handler, the feed's name for a feed. */
  name: string;
  agent: string;
  /** True if its agent was started for it. */
  newAgent: boolean;
}

const FORWARD: LifecyclePhase[] = ["init", "start", "startComplete"];

/**
 * @example
 * ```ts
 * const registration = new Registration(context);
 * await registration.addHandler(planHandlerAddition(spec, plan, options));
 * await registration.removeHandler("processor", "late");
 * ```
 */
export class Registration {
  constructor(private readonly context: RegistrationContext) {}

  async addHandler({ agentName, handler, newAgent }: HandlerAddition): Promise<Registered> {
    const { counters, latency, plan } = this.context;
    if (newAgent) await this.context.launch(newAgent);
    const agent = this.agent(agentName);
    const buffer = counters.allocate(agentName, "handler", handler.name);
    if (handler.onFull) this.context.rings.expectPolicies(agentName, handler.onFull);
    try {
      await this.ask(agent, { op: "addHandler", handler, counters: buffer, latency: latency?.allocate(agentName, handler.name) });
      try {
        for (const phase of FORWARD) await this.handlerPhase(agent, handler.name, phase);
      } catch (thrown) {
        await this.retireHandler(agent, handler.name);
        throw thrown;
      }
    } catch (thrown) {
      counters.remove(agentName, "handler", handler.name);
      latency?.remove(agentName, handler.name);
      if (newAgent) await this.context.discard(agentName);
      throw thrown;
    }
    plan.agents.find((a) => a.name === agentName)!.handlers.push(handler);
    this.context.log.info("handler added", { agent: agentName, handler: handler.name, newAgent: newAgent !== undefined });
    return { name: `${agentName}/${handler.name}`, agent: agentName, newAgent: newAgent !== undefined };
  }

  async removeHandler(agentName: string, name: string): Promise<void> {
    const agentPlan = this.context.plan.agents.find((a) => a.name === agentName && a.name !== SUPERVISOR_AGENT);
    const withHandlers = this.context.plan.agents.filter((a) => a.handlers.length > 0).map((a) => a.handlers.map((h) => `${a.name}/${h.name}`)).flat();
    const known = `(handlers: ${withHandlers.join(", ") || "none"})`;
    if (!agentPlan) throw new UnknownComponentError(`cannot remove handler "${agentName}/${name}": no agent "${agentName}" ${known}`);
    const index = agentPlan.handlers.findIndex((h) => h.name === name);
    if (index < 0) throw new UnknownComponentError(`cannot remove handler "${agentName}/${name}": agent "${agentName}" has no handler "${name}" ${known}`);
    await this.retireHandler(this.agent(agentName), name);
    agentPlan.handlers.splice(index, 1);
    this.context.counters.remove(agentName, "handler", name);
    this.context.latency?.remove(agentName, name);
    this.context.log.info("handler removed", { agent: agentName, handler: name });
  }

  async addFeed({ feed, newAgent }: FeedAddition): Promise<Registered> {
    const { counters, plan } = this.context;
    if (newAgent) await this.context.launch(newAgent);
    const host = this.agent(feed.host);
    const buffer = counters.allocate(feed.host, "feed", feed.name);
    try {
      await this.ask(host, { op: "hostFeed", feed, counters: buffer });
    } catch (thrown) {
      counters.remove(feed.host, "feed", feed.name);
      if (newAgent) await this.context.discard(feed.host);
      throw thrown;
    }
    plan.feeds.push(feed);
    host.plan.hostedFeeds.push(feed.name);
    try {
      const wants = await this.askAll({ op: "knowFeed", feed }, this.context.requestTimeoutMs);
      await this.feedPhase(host, feed.name, "init");
      await this.feedPhase(host, feed.name, "start");
      await this.context.connect(wants);
      await this.feedPhase(host, feed.name, "startComplete");
    } catch (thrown) {
      await this.retireFeed(feed);
      throw thrown;
    }
    this.context.log.info("feed added", { feed: feed.name, agent: feed.host, newAgent: newAgent !== undefined });
    return { name: feed.name, agent: feed.host, newAgent: newAgent !== undefined };
  }

  async removeFeed(name: string): Promise<void> {
    const feed = this.context.plan.feeds.find((f) => f.name === name);
    if (!feed) throw new UnknownComponentError(`cannot remove feed "${name}": no such feed (feeds: ${this.context.plan.feeds.map((f) => f.name).join(", ") || "none"})`);
    if (feed.type === "pipe") throw new UnknownComponentError(`cannot remove feed "${name}": it is a pipe, whose writers and subscribers are fixed at boot`);
    await this.retireFeed(feed);
    this.context.log.info("feed removed", { feed: name, agent: feed.host });
  }

  // ---- steps ----

  /** Stops, tears down and forgets a handler, then closes the rings only it needed on its agent. */
  private async retireHandler(agent: AgentEndpoint, name: string): Promise<void> {
    // Values it sends while stopping still go out: their sink rings are connected like any other.
    for (const phase of ["stop", "tearDown"] as LifecyclePhase[]) await this.handlerPhase(agent, name, phase);
    const released = await this.ask(agent, { op: "removeHandler", handler: name });
    await this.closeRings(this.context.rings.releaseHandler(agent.name, name, released));
  }

  /** Stops and tears down a hosted feed (closing its rings), then every agent drains and forgets it. */
  private async retireFeed(feed: FeedPlan): Promise<void> {
    const { plan, rings, counters } = this.context;
    const host = this.agent(feed.host);
    await this.feedPhase(host, feed.name, "stop");
    await this.feedPhase(host, feed.name, "tearDown");
    await this.ask(host, { op: "unhostFeed", feed: feed.name });
    const released = rings.releaseFeed(feed.name);
    await this.askAll({ op: "forgetFeed", feed: feed.name }, this.context.drainTimeoutMs);
    rings.forget(released);
    plan.feeds.splice(plan.feeds.indexOf(feed), 1);
    host.plan.hostedFeeds.splice(host.plan.hostedFeeds.indexOf(feed.name), 1);
    counters.remove(feed.host, "feed", feed.name);
  }

  /** Each ring's producer closes it; each consumer drains what is left (for nobody now) and drops it. */
  private async closeRings(released: RingRecord[]): Promise<void> {
    for (const ring of released) await this.ask(this.agent(ring.producer), { op: "detachRing", feed: ring.name, consumerAgent: ring.consumer });
    for (const ring of released) await this.ask(this.agent(ring.consumer), { op: "dropInbound", feed: ring.name }, this.context.drainTimeoutMs);
    this.context.rings.forget(released);
  }

  private async handlerPhase(agent: AgentEndpoint, name: string, phase: LifecyclePhase): Promise<void> {
    const wants = await this.ask(agent, { op: "componentPhase", kind: "handler", name, phase });
    await this.context.connect(new Map([[agent.name, wants]]));
  }

  private async feedPhase(agent: AgentEndpoint, name: string, phase: LifecyclePhase): Promise<void> {
    await this.ask(agent, { op: "componentPhase", kind: "feed", name, phase });
  }

  private agent(name: string): AgentEndpoint {
    const agent = this.context.agents.get(name);
    if (!agent) throw new RegistrationError(`agent "${name}" is not running`);
    return agent;
  }

  private ask<R extends ControlRequest>(agent: AgentEndpoint, request: R, timeoutMs = this.context.requestTimeoutMs): Promise<ReplyTo<R>> {
    return agent.request(request, timeoutMs);
  }

  /** Sends `request` to every agent; the first failure is thrown once all answered. */
  private async askAll<R extends ControlRequest>(request: R, timeoutMs: number): Promise<Map<string, ReplyTo<R>>> {
    const { replies, failures } = await this.context.agents.ask(request, undefined, timeoutMs);
    if (failures.length > 0) throw failures[0].reason;
    return replies;
  }
}
