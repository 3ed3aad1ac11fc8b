/**
 * The supervisor: boots the agents a plan describes through an {@link AgentLauncher}, runs the lifecycle
 * across agents in order, connects the rings agents ask for, and stops everything gracefully. Its parts,
 * one concern each: {@link RingRegistry} (which rings exist, and the topology), {@link AgentHealth}
 * (states and the heartbeat watchdog), {@link ErrorLog} (recent reports and listeners),
 * {@link StopSequence} (the ordered draining stop), {@link AgentGroup} (requests to many agents) and
 * {@link ServiceRegistrar} (services added and removed at runtime).
 *
 * Boot: the rings the plan determines are created first and travel in the boot messages; agents are
 * launched and load their components; worker clocks are calibrated; then `init`, `start` and
 * `startComplete`, each over sinks, then services, then handlers, then feeds. After each step the rings the agents'
 * components asked for (subscriptions, sinks) are connected, one `attach` per agent, before the next step.
 *
 * @module
 */
import { AgentSignals } from "../../agent/signals.ts";
import type { LogSettings, Logger } from "../../log/log.ts";
import type { AgentPlan, ServerPlan, ServicePlan } from "../../plan/types.ts";
import { markConsumerGone, markProducerClosed, readRingStats } from "../../transport/ring.ts";
import { type AgentEndpoint, type AgentLauncher, AgentUnavailableError } from "../agent-endpoint.ts";
import { agentCounterSubjects, allocateCounters, CounterBlock, type CounterSample, counterLayout } from "../counters.ts";
import { BootError, describeThrown, type ErrorReport } from "../errors.ts";
import { type AgentBoot, type AgentEvent, ComponentFailureError, type FeedStatusEntry, type LifecyclePhase, type Role, type Tuning, type Wants } from "../protocol.ts";
import { AgentGroup } from "./agent-group.ts";
import { AgentHealth, type AgentStatus } from "./agent-health.ts";
import { calibrateClock } from "./clock-sync.ts";
import { ErrorLog } from "./error-log.ts";
import { type EndpointBatch, type RingInfo, RingRegistry } from "./ring-registry.ts";
import { type ServiceInfo, serviceLocation, ServiceRegistrar } from "./service-registrar.ts";
import { StopSequence, type StopReport } from "./stop-sequence.ts";

/** Supervisor settings beyond the plan. */
export interface SupervisorOptions {
  log: LogSettings;
  logger: Logger;
  tuning: Tuning;
  /** Starts each agent (worker or inline). */
  launcher: AgentLauncher;
  /** Data bytes per ring (power of two). */
  ringCapacity: number;
  /** Longest wait for an agent to boot or answer a lifecycle request. */
  requestTimeoutMs: number;
  /** Longest wait for an agent to drain its rings while stopping. */
  drainTimeoutMs: number;
  /** A worker whose heartbeat has not moved for this long is reported unresponsive. */
  unresponsiveAfterMs: number;
}

const ROLES: Role[] = ["sinks", "services", "handlers", "feeds"];

/**
 * @example
 * ```ts
 * const launcher = new ThreadLauncher(runtime, AGENT_WORKER_URL, 30_000);
 * const supervisor = new Supervisor(buildPlan(config), { ...options, launcher });
 * await supervisor.boot();
 * const report = await supervisor.stop();
 * ```
 */
export class Supervisor {
  private readonly epochOriginMs = performance.timeOrigin;
  private readonly agents = new AgentGroup();
  private readonly counters = new Map<string, CounterBlock>();
  private readonly signals: Map<string, SharedArrayBuffer>;
  private readonly pipeSequences: SharedArrayBuffer;
  private readonly rings: RingRegistry;
  private readonly health: AgentHealth;
  private readonly errorLog: ErrorLog;
  private readonly registrar: ServiceRegistrar;
  /** Attach requests in flight for rings asked for outside a lifecycle step. */
  private readonly attaching = new Set<Promise<void>>();
  private stopping: Promise<StopReport> | undefined;
  private state: "created" | "booting" | "running" | "stopping" | "stopped" | "failed" = "created";

  constructor(readonly plan: ServerPlan, private readonly options: SupervisorOptions) {
    this.pipeSequences = new SharedArrayBuffer(8 * Math.max(1, plan.feeds.filter((f) => f.type === "pipe").length));
    this.signals = new Map(plan.agents.map((agent) => [agent.name, AgentSignals.allocate()]));
    this.rings = new RingRegistry(plan, options.ringCapacity, (agent) => this.signals.get(agent)!);
    this.errorLog = new ErrorLog(options.logger);
    this.registrar = new ServiceRegistrar({
      plan,
      agents: this.agents,
      requestTimeoutMs: options.requestTimeoutMs,
      connect: async (wants) => {
        await this.connect(wants);
        await this.settleAttachments();
      },
    });
    this.health = new AgentHealth(options.unresponsiveAfterMs, {
      unresponsive: (agent, reason) => {
        options.logger.error("agent unresponsive", { agent, reason });
        this.errorLog.record({ time: Date.now(), source: "agent", agent, component: agent, phase: "run", message: `agent "${agent}" is unresponsive: ${reason}` });
      },
      responsiveAgain: (agent) => options.logger.warn("agent responsive again", { agent }),
    });
  }

  /** Boots every agent and runs init/start/startComplete; on failure stops what started and throws BootError. */
  async boot(): Promise<void> {
    const log = this.options.logger;
    const startedAt = performance.now();
    this.state = "booting";
    try {
      await this.launchAgents(this.rings.planned());
      for (const agent of this.agents.all()) {
        if (agent.plan.mode === "worker") await calibrateClock(agent, this.epochOriginMs, log, this.options.requestTimeoutMs);
      }
      for (const phase of ["init", "start", "startComplete"] as LifecyclePhase[]) {
        for (const role of ROLES) await this.runPhase(phase, role);
      }
    } catch (thrown) {
      this.state = "failed";
      const error = this.bootError(thrown);
      log.error("boot failed; stopping what was started", { component: error.component, phase: error.phase, cause: error.causeMessage });
      await this.rollback();
      throw error;
    }
    this.state = "running";
    this.health.watch(() => this.agents.all());
    log.info("server running", {
      agents: this.plan.agents.length - 1,
      feeds: this.plan.feeds.length,
      sinks: this.plan.sinks.length,
      bootMs: Math.round(performance.now() - startedAt),
    });
  }

  /** Stops gracefully (see stop-sequence.ts). Safe to call more than once: later calls get the same report. */
  stop(): Promise<StopReport> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  /** Listens for error reports from every agent; returns a function that stops listening. */
  onError(listener: (report: ErrorReport) => void): () => void {
    return this.errorLog.listen(listener);
  }

  /** The last 100 error reports, oldest first. */
  errors(): ErrorReport[] {
    return this.errorLog.recent();
  }

  /** Every counter of every agent. */
  counterSamples(): CounterSample[] {
    return [...this.counters.values()].flatMap((block) => block.read());
  }

  /** Every ring with its live statistics. */
  ringInfo(): RingInfo[] {
    return this.rings.ringInfo();
  }

  /** Agents and how they are doing. */
  agentStatus(): AgentStatus[] {
    return this.health.list();
  }

  /** Status of every feed, asked of the agents that host them. */
  async feedStatus(): Promise<FeedStatusEntry[]> {
    const hostsOfFeeds = this.agents.all().filter((agent) => agent.plan.hostedFeeds.length > 0);
    const { replies, failures } = await this.agents.ask({ op: "status" }, undefined, this.options.requestTimeoutMs, hostsOfFeeds);
    const unreachable = failures.flatMap(({ agent, reason }) =>
      agent.plan.hostedFeeds.map((feed) => ({ feed, agent: agent.name, connected: false, detail: reason.message, completed: false, subscribers: 0 }))
    );
    return [...[...replies.values()].flat(), ...unreachable];
  }

  /** Every service, where its instances run and what it publishes. */
  services(): ServiceInfo[] {
    return this.registrar.list();
  }

  /** Registers and starts a service while running (see service-registrar.ts). */
  addService(service: ServicePlan): Promise<ServiceInfo> {
    if (this.state !== "running") return Promise.reject(new Error(`cannot add service "${service.name}": the server is ${this.state}`));
    return this.registrar.add(service);
  }

  /** Removes a service while running; false if there is none of that name. */
  removeService(name: string): Promise<boolean> {
    if (this.state !== "running") return Promise.reject(new Error(`cannot remove service "${name}": the server is ${this.state}`));
    return this.registrar.remove(name);
  }

  /** Feeds each handler of `agent` receives, by handler. */
  subscriptionsOf(agent: string): ReadonlyMap<string, ReadonlySet<string>> {
    return this.rings.subscriptionsOf(agent);
  }

  // ---- boot ----

  private bootFor(plan: AgentPlan, endpoints: EndpointBatch): AgentBoot {
    const layout = counterLayout(agentCounterSubjects(plan, this.plan.feeds, this.plan.sinks));
    const counters = allocateCounters(layout);
    this.counters.set(plan.name, new CounterBlock(counters, layout));
    return {
      plan,
      eventTypes: this.plan.eventTypes,
      feeds: this.plan.feeds,
      sinks: this.plan.sinks,
      services: this.plan.services.map(serviceLocation),
      deadLetter: this.plan.deadLetter,
      endpoints: endpoints.get(plan.name) ?? [],
      pipeSequences: this.pipeSequences,
      epochOriginMs: this.epochOriginMs,
      signals: this.signals.get(plan.name)!,
      counters,
      log: this.options.log,
      tuning: this.options.tuning,
    };
  }

  private async launchAgents(planned: EndpointBatch): Promise<void> {
    const listeners = {
      onEvent: (agent: string, event: AgentEvent) => this.agentEvent(agent, event),
      onExit: (agent: string, reason: string) => this.agentDied(agent, reason),
    };
    const results = await Promise.allSettled(this.plan.agents.map(async (plan) => {
      this.health.starting(plan);
      const agent = await this.options.launcher.launch(this.bootFor(plan, planned), listeners).catch((thrown) => {
        if (thrown instanceof ComponentFailureError || thrown instanceof AgentUnavailableError) throw thrown;
        throw new ComponentFailureError({ component: `agent "${plan.name}"`, phase: "boot", ...describeThrown(thrown) });
      });
      this.agents.add(agent);
      this.health.setState(plan.name, "running");
      this.options.logger.debug("agent booted", { agent: plan.name, mode: plan.mode, idleStrategy: plan.idle.type });
    }));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
  }

  /** Runs one lifecycle step on every agent hosting the role, then connects the rings it asked for. */
  private async runPhase(phase: LifecyclePhase, role: Role): Promise<void> {
    const { replies, failures } = await this.agents.ask({ op: "lifecycle", phase, role }, role, this.options.requestTimeoutMs);
    if (failures.length > 0) throw failures[0].reason;
    await this.connect(replies);
    await this.settleAttachments();
  }

  private bootError(thrown: unknown): BootError {
    if (thrown instanceof ComponentFailureError) return new BootError(thrown.failure.component, thrown.failure.phase, thrown.failure.message);
    if (thrown instanceof AgentUnavailableError) return new BootError(`agent "${thrown.agent}"`, "boot", thrown.message);
    if (thrown instanceof BootError) return thrown;
    return new BootError("server", "boot", describeThrown(thrown).message);
  }

  private async rollback(): Promise<void> {
    const giveUpOnTimeouts = async (request: Parameters<AgentGroup["ask"]>[0], role: Role) => {
      const { failures } = await this.agents.ask(request, role, this.options.requestTimeoutMs);
      for (const { agent, reason } of failures) if (reason instanceof AgentUnavailableError && reason.timedOut) this.giveUp(agent.name, reason.message);
    };
    for (const role of [...ROLES].reverse()) await giveUpOnTimeouts({ op: "lifecycle", phase: "stop", role }, role);
    for (const role of [...ROLES].reverse()) await giveUpOnTimeouts({ op: "lifecycle", phase: "tearDown", role }, role);
    await this.closeAgents();
  }

  // ---- wiring ----

  /** Creates the rings each agent asked for and hands out their ends: one attach per agent, all awaited. */
  private async connect(wants: Map<string, Wants>): Promise<void> {
    const batch: EndpointBatch = new Map();
    for (const [agent, asked] of wants) this.rings.connect(agent, asked, batch);
    await Promise.all([...batch].map(([agent, endpoints]) => this.attach(agent, endpoints)));
  }

  /** Waits until the rings asked for outside lifecycle steps so far are attached. */
  private async settleAttachments(): Promise<void> {
    while (this.attaching.size > 0) await Promise.all([...this.attaching]);
  }

  private async attach(agentName: string, endpoints: AgentBoot["endpoints"]): Promise<void> {
    const agent = this.agents.get(agentName);
    if (!agent) return;
    try {
      await agent.request({ op: "attach", endpoints }, this.options.requestTimeoutMs);
    } catch (thrown) {
      const rings = endpoints.map((e) => "feed" in e ? e.feed : e.sink).join(", ");
      this.options.logger.error("could not connect rings", { agent: agentName, rings, cause: describeThrown(thrown).message });
    }
  }

  private agentEvent(agent: string, event: AgentEvent): void {
    switch (event.event) {
      case "wants": {
        // Asked for outside a lifecycle step (e.g. a handler's first sink in onEvent): connect now.
        const attached = this.connect(new Map([[agent, event.wants]]));
        this.attaching.add(attached);
        void attached.finally(() => this.attaching.delete(attached));
        return;
      }
      case "error":
        this.errorLog.record(event.report);
        return;
      case "pinning":
        this.health.setPinning(agent, event.core, event.detail);
        return;
      case "fatal":
        this.agentDied(agent, event.message);
        this.agents.get(agent)?.terminate();
        return;
    }
  }

  // ---- failures and stop ----

  /** A dead agent's rings are released so nobody waits on it: producers stop waiting for space, consumers see its outputs end. */
  private agentDied(agent: string, reason: string): void {
    if (!this.health.died(agent, reason)) return;
    let undeliveredEvents = 0;
    for (const ring of this.rings.ringsOf(agent)) {
      if (ring.consumer === agent) {
        markConsumerGone(ring.buffer);
        undeliveredEvents += readRingStats(ring.buffer).depth;
      }
      if (ring.producer === agent) markProducerClosed(ring.buffer);
    }
    this.options.logger.error("agent died", { agent, reason, undeliveredEvents });
    this.errorLog.record({ time: Date.now(), source: "agent", agent, component: agent, phase: "run", message: `agent "${agent}" died: ${reason}` });
  }

  /** An agent that did not answer in time while stopping is treated as dead and ended. */
  private giveUp(agent: string, problem: string): void {
    this.agentDied(agent, problem);
    this.agents.get(agent)?.terminate();
  }

  private async runStop(): Promise<StopReport> {
    if (this.state !== "running") return { clean: this.state === "stopped", problems: [`server is ${this.state}`], undeliveredEvents: 0, durationMs: 0 };
    this.state = "stopping";
    const report = await new StopSequence({
      agents: this.agents,
      rings: this.rings,
      log: this.options.logger,
      requestTimeoutMs: this.options.requestTimeoutMs,
      drainTimeoutMs: this.options.drainTimeoutMs,
      connect: async (wants) => {
        await this.connect(wants);
        await this.settleAttachments();
      },
      giveUp: (agent, problem) => this.giveUp(agent, problem),
      closeAgents: () => this.closeAgents(),
    }).run();
    this.state = "stopped";
    return report;
  }

  private async closeAgents(): Promise<void> {
    this.health.unwatch();
    await this.agents.closeAll(this.options.requestTimeoutMs, (agent: AgentEndpoint) => {
      if (!this.health.isDead(agent.name)) this.health.setState(agent.name, "stopped");
    });
  }
}
