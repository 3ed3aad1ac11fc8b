/**
 * The supervisor: boots the agents a plan describes through an {@link AgentLauncher}, runs the lifecycle
 * across agents in order, connects the rings agents ask for, and stops everything gracefully. Its parts,
 * one concern each: {@link RingRegistry} (which rings exist, and the topology), {@link AgentHealth}
 * (states and the heartbeat watchdog), {@link ErrorLog} (recent reports and listeners), {@link CommandRoutes}
 * (handlers' admin commands in the server's registry), {@link LatencyBlocks} (the handlers' latency histograms),
 * {@link StopSequence} (the ordered draining stop), {@link AgentGroup} (requests to many agents) and
 * {@link ServiceRegistrar} (services added and removed at runtime).
 *
 * Boot: the rings the plan determines are created first and travel in the boot messages; agents are
 * launched and load their components; worker clocks are calibrated; then `init`, `start` and
 * `startComplete`, each over sinks, then services, then handlers, then feeds. After each step the rings the agents'
 * components asked for (subscriptions, sinks) are connected, one `attach` per agent, before the next step.
 *
 * While running, handlers and feeds may be added and removed ({@link Registration}), one change at a
 * time; a stop waits for the change in progress and refuses later ones.
 *
 * @module
 */
import { AgentSignals } from "../../agent/signals.ts";
import type { LogSettings, Logger } from "../../log/log.ts";
import type { AgentPlan, FeedAddition, HandlerAddition, ServerPlan, ServicePlan } from "../../plan/types.ts";
import type { TuningChange } from "../../plan/tuning.ts";
import { markConsumerGone, markProducerClosed, readRingStats } from "../../transport/ring.ts";
import { type AgentEndpoint, type AgentLauncher, type AgentListeners, AgentUnavailableError } from "../agent-endpoint.ts";
import type { CommandRegistry } from "../commands/command-registry.ts";
import { agentCounterSubjects, allocateCounters, CounterBlock, type CounterSample, counterLayout } from "../counters.ts";
import { BootError, describeThrown, type ErrorReport, RegistrationError, UnknownComponentError } from "../errors.ts";
import { type AgentBoot, type AgentEvent, ComponentFailureError, describeRequest, type Endpoint, type FeedStatusEntry, type LifecyclePhase, type Role, type Tuning, type Wants } from "../protocol.ts";
import { AgentGroup, describeComponents } from "./agent-group.ts";
import { AgentHealth, type AgentStatus } from "./agent-health.ts";
import { AgentRestarter } from "./agent-restarter.ts";
import { calibrateClock } from "./clock-sync.ts";
import { CommandRoutes } from "./command-routes.ts";
import { CounterBlocks } from "./counter-blocks.ts";
import { LatencyBlocks } from "./latency-blocks.ts";
import type { LatencyQuery, LatencySummary } from "../latency/latency-report.ts";
import { type ConfigUpdateResult, ConfigUpdates, type ReloadReport } from "./config-updates.ts";
import { ErrorLog } from "./error-log.ts";
import { type Registered, Registration } from "./registration.ts";
import { type EndpointBatch, type RingInfo, RingRegistry } from "./ring-registry.ts";
import { reportSlowWait, seconds, type SlowWaitTiming } from "./slow-wait.ts";
import { type ServiceInfo, serviceLocation, ServiceRegistrar } from "./service-registrar.ts";
import { StopSequence, type StopReport } from "./stop-sequence.ts";
import { keepsReadPointer } from "../../plan/read-pointers.ts";
import { untilAborted } from "./until-aborted.ts";

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
  /** Bound of the whole stop. */
  shutdownTimeoutMs: number;
  /** A worker whose heartbeat has not moved for this long is reported unresponsive. */
  unresponsiveAfterMs: number;
  /** The admin command registry; handlers' commands are added to it as their agents register them. */
  commands: CommandRegistry;
}

const ROLES: Role[] = ["sinks", "services", "handlers", "feeds"];

/** A boot step still pending after 3 s (agents load modules, components connect) says whom it waits for, and again every 5 s. */
const SLOW_BOOT_STEP: SlowWaitTiming = { firstAfterMs: 3_000, everyMs: 5_000 };

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
  /** Recorded in read pointer locks (see pointer-lock.ts): tells this server's locks from those of any other, in this process too. */
  private readonly serverId = crypto.randomUUID();
  private readonly agents = new AgentGroup();
  private readonly counters = new CounterBlocks();
  /** Undefined when latency recording is off. */
  private readonly latency: LatencyBlocks | undefined;
  private readonly signals: Map<string, SharedArrayBuffer>;
  private readonly pipeSequences: SharedArrayBuffer;
  private readonly rings: RingRegistry;
  private readonly health: AgentHealth;
  private readonly errorLog: ErrorLog;
  private readonly commandRoutes: CommandRoutes;
  private readonly configUpdates: ConfigUpdates;
  private readonly registrar: ServiceRegistrar;
  /** Attach requests in flight for rings asked for outside a lifecycle step. */
  private readonly attaching = new Set<Promise<void>>();
  private readonly registration: Registration;
  private readonly restarter: AgentRestarter;
  private readonly listeners: AgentListeners = {
    onEvent: (agent, event) => this.agentEvent(agent, event),
    onExit: (agent, reason) => this.agentDied(agent, reason),
  };
  /** The registration change in progress (changes run one at a time). */
  private registering: Promise<unknown> = Promise.resolve();
  private stopping: Promise<StopReport> | undefined;
  /** The stop under way: an agent found unresponsive meanwhile is given up on at once. */
  private stopSequence: StopSequence | undefined;
  private state: "created" | "booting" | "running" | "stopping" | "stopped" | "failed" = "created";

  constructor(readonly plan: ServerPlan, private readonly options: SupervisorOptions) {
    this.latency = plan.latency.enabled ? new LatencyBlocks(plan.latency.sampleEvery) : undefined;
    this.pipeSequences = new SharedArrayBuffer(8 * Math.max(1, plan.feeds.filter((f) => f.type === "pipe").length));
    this.signals = new Map(plan.agents.map((agent) => [agent.name, AgentSignals.allocate()]));
    this.rings = new RingRegistry(plan, options.ringCapacity, (agent) => this.signals.get(agent)!);
    this.errorLog = new ErrorLog(options.logger);
    this.commandRoutes = new CommandRoutes(options.commands, (agent) => this.agents.get(agent), options.requestTimeoutMs, (agent, handler, command, message) => {
      options.logger.error("admin command not registered", { agent, handler, command, reason: message });
      this.errorLog.record({ time: Date.now(), source: "handler", agent, component: handler, phase: "registerCommand", message });
    });
    this.configUpdates = new ConfigUpdates(plan, (agent) => this.agents.get(agent), options.requestTimeoutMs);
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
        this.stopSequence?.giveUpUnresponsive(agent, reason);
      },
      responsiveAgain: (agent) => options.logger.warn("agent responsive again", { agent }),
    });
    this.restarter = new AgentRestarter({
      launcher: options.launcher,
      listeners: this.listeners,
      agents: this.agents,
      health: this.health,
      log: options.logger,
      requestTimeoutMs: options.requestTimeoutMs,
      planOf: (agent) => this.plan.agents.find((a) => a.name === agent),
      endpointsOf: (agent) => this.rings.endpointsOf(agent),
      rebuild: (boot, endpoints, restart) => ({ ...this.bootMessage(boot.plan, endpoints, boot.counters, boot.latency), restart }),
      calibrate: (agent) => calibrateClock(agent, this.epochOriginMs, options.logger, options.requestTimeoutMs),
      connect: async (wants) => {
        await this.connect(wants);
        await this.settleAttachments();
      },
      running: () => this.state === "running",
      report: (agent, message) => this.errorLog.record({ time: Date.now(), source: "agent", agent, component: agent, phase: "run", message }),
      giveUp: (agent, reason) => this.markDead(agent, reason),
      retune: (agent, stage) => this.retune(agent, stage),
    });
    this.registration = new Registration({
      plan,
      agents: this.agents,
      rings: this.rings,
      counters: this.counters,
      latency: this.latency,
      log: options.logger,
      requestTimeoutMs: options.requestTimeoutMs,
      drainTimeoutMs: options.drainTimeoutMs,
      launch: (agent) => this.launchAtRuntime(agent),
      discard: (agent) => this.discardAgent(agent),
      connect: async (wants) => {
        await this.connect(wants);
        await this.settleAttachments();
      },
    });
  }

  /**
   * Boots every agent and runs init/start/startComplete; on failure stops what started and throws
   * BootError. When `signal` aborts, the boot stops waiting at once: agents that have not answered the
   * step in flight are given up on (terminated), the others are stopped, and BootError says it was aborted.
   */
  async boot(signal?: AbortSignal): Promise<void> {
    const log = this.options.logger;
    const startedAt = performance.now();
    this.state = "booting";
    try {
      await untilAborted(this.bootSteps(signal), signal);
    } catch (thrown) {
      this.state = "failed";
      const error = this.bootError(thrown, signal);
      log.error("boot failed; stopping what was started", { component: error.component, phase: error.phase, cause: error.causeMessage });
      if (signal?.aborted) {
        for (const { agent, request } of this.agents.unanswered()) this.giveUp(agent.name, `had not finished "${describeRequest(request)}" when the boot was aborted`);
      }
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

  /** Every counter of every agent, and of every handler and feed registered at runtime. */
  counterSamples(): CounterSample[] {
    return this.counters.samples();
  }

  /** Every handler's latency over the current interval; undefined when recording is off. */
  latencySummary(): LatencySummary | undefined {
    return this.latency?.summary();
  }

  /** One handler's `.hgrm` text (throws LatencyLookupError); undefined when recording is off. */
  latencyDistribution(handler: string, query?: LatencyQuery): string | undefined {
    return this.latency?.distribution(handler, query);
  }

  /** Starts a new latency interval; false when recording is off. */
  resetLatency(): boolean {
    this.latency?.reset();
    return this.latency !== undefined;
  }

  /**
   * Adds a handler while running. `planned` checks it against the current plan (inside the change, so
   * concurrent calls see each other's result). See registration.ts.
   */
  addHandler(planned: (plan: ServerPlan) => HandlerAddition): Promise<Registered> {
    return this.change("add handler", () => this.registration.addHandler(planned(this.plan)));
  }

  /** Removes a handler while running: stopped, torn down, its subscriptions released. */
  removeHandler(agent: string, handler: string): Promise<void> {
    return this.change(`remove handler "${agent}/${handler}"`, () => this.registration.removeHandler(agent, handler));
  }

  /** Adds a feed while running; `planned` checks it against the current plan. */
  addFeed(planned: (plan: ServerPlan) => FeedAddition): Promise<Registered> {
    return this.change("add feed", () => this.registration.addFeed(planned(this.plan)));
  }

  /** Removes a feed while running: it stops, its rings drain and close. */
  removeFeed(feed: string): Promise<void> {
    return this.change(`remove feed "${feed}"`, () => this.registration.removeFeed(feed));
  }

  /** Every ring with its live statistics. */
  ringInfo(): RingInfo[] {
    return this.rings.ringInfo();
  }

  /** Agents and how they are doing. */
  agentStatus(): AgentStatus[] {
    return this.health.list();
  }

  /** Status of every feed, and of each sink that reports one (`kind: "sink"`), asked of the agents that host them. */
  async feedStatus(): Promise<FeedStatusEntry[]> {
    const hostsOfFeeds = this.agents.all().filter((agent) => agent.plan.hostedFeeds.length > 0 || agent.plan.hostedSinks.length > 0);
    const { replies, failures } = await this.agents.ask({ op: "status" }, undefined, this.options.requestTimeoutMs, hostsOfFeeds);
    const unreachable = failures.flatMap(({ agent, reason }) =>
      agent.plan.hostedFeeds.map((feed) => ({ feed, agent: agent.name, connected: false, detail: reason.message, completed: false, subscribers: 0 }))
    );
    return [...[...replies.values()].flat(), ...unreachable];
  }

  /** Changes one handler's configMap live on its agent (see config-updates.ts). */
  async updateConfig(target: string, patch: Record<string, unknown>): Promise<ConfigUpdateResult> {
    if (this.state !== "running") return { ok: false, handler: target, error: `server is ${this.state}` };
    return await this.configUpdates.update(target, patch);
  }

  /** Applies the configMap differences of a reloaded plan live; reports the rest as needing a restart. */
  async reload(next: ServerPlan): Promise<ReloadReport> {
    if (this.state !== "running") return { applied: [], rejected: [], needsRestart: [], errors: [`server is ${this.state}`] };
    return await this.configUpdates.reload(next);
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

  /**
   * What brings a restarted agent's runtime tuning back (see runtime-tuner.ts); set by the embedding API.
   * Without one, a restarted agent runs its plan.
   */
  retune: (agent: string, stage: "components" | "handlers") => Promise<void> = () => Promise.resolve();

  /** Applies one runtime tuning change on `agent`'s thread; resolves once it is in effect there (see runtime-tuner.ts). */
  async tune(agent: string, change: TuningChange): Promise<void> {
    if (this.state !== "running") throw new Error(`cannot tune agent "${agent}": the server is ${this.state}`);
    const endpoint = this.agents.get(agent);
    if (!endpoint) throw new UnknownComponentError(`agent "${agent}" is not running`);
    await endpoint.request({ op: "tune", change }, this.options.requestTimeoutMs);
  }

  /** Feeds each handler of `agent` receives, by handler. */
  subscriptionsOf(agent: string): ReadonlyMap<string, ReadonlySet<string>> {
    return this.rings.subscriptionsOf(agent);
  }

  // ---- boot ----

  /** Launch, clock calibration, then each lifecycle phase over each role; checks `signal` between steps so an aborted boot goes no further. */
  private async bootSteps(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    await this.launchAgents(this.rings.planned(), signal);
    for (const agent of this.agents.all()) {
      signal?.throwIfAborted();
      if (agent.plan.mode === "worker") await calibrateClock(agent, this.epochOriginMs, this.options.logger, this.options.requestTimeoutMs);
    }
    for (const phase of ["init", "start", "startComplete"] as LifecyclePhase[]) {
      for (const role of ROLES) {
        signal?.throwIfAborted();
        await this.runPhase(phase, role, signal);
      }
    }
  }

  private bootFor(plan: AgentPlan, endpoints: Endpoint[]): AgentBoot {
    const layout = counterLayout(agentCounterSubjects(plan, this.plan.feeds, this.plan.sinks));
    const counters = allocateCounters(layout);
    this.counters.addAgent(plan.name, new CounterBlock(counters, layout));
    const latency = this.latency && { sampleEvery: this.latency.sampleEvery, block: this.latency.addAgent(plan.name, plan.handlers.map((h) => h.name)) };
    const boot = this.bootMessage(plan, endpoints, counters, latency);
    this.restarter.register(boot);
    return boot;
  }

  /** The boot message of an agent whose shared memory (counters, latency histograms) is already allocated. */
  private bootMessage(plan: AgentPlan, endpoints: Endpoint[], counters: SharedArrayBuffer, latency: AgentBoot["latency"]): AgentBoot {
    return {
      plan,
      serverId: this.serverId,
      eventTypes: this.plan.eventTypes,
      feeds: this.plan.feeds,
      sinks: this.plan.sinks,
      services: this.plan.services.map(serviceLocation),
      deadLetter: this.plan.deadLetter,
      endpoints,
      pipeSequences: this.pipeSequences,
      epochOriginMs: this.epochOriginMs,
      signals: this.signals.get(plan.name)!,
      counters,
      latency,
      journal: this.plan.journal,
      tracing: this.plan.tracing,
      log: this.options.log,
      tuning: this.options.tuning,
    };
  }

  private async launchAgents(planned: EndpointBatch, signal: AbortSignal | undefined): Promise<void> {
    const loading = new Set(this.plan.agents.map((plan) => plan.name));
    const launched = Promise.allSettled(this.plan.agents.map(async (plan) => {
      await this.launchAgent(plan, planned.get(plan.name) ?? [], signal);
      loading.delete(plan.name);
    }));
    const results = await reportSlowWait(launched, (waitedMs) => {
      for (const agent of loading) this.options.logger.warn(`boot waiting for agent "${agent}" to load its components (${seconds(waitedMs)})`, { agent });
    }, SLOW_BOOT_STEP);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
  }

  private async launchAgent(plan: AgentPlan, endpoints: Endpoint[], signal?: AbortSignal): Promise<void> {
    this.health.starting(plan);
    if (plan.restart && plan.mode === "inline") this.options.logger.warn(`restart: always of agent "${plan.name}" does not apply: an inline agent runs on the supervisor's thread`, { agent: plan.name });
    const agent = await this.options.launcher.launch(this.bootFor(plan, endpoints), this.listeners, signal).catch((thrown) => {
      if (thrown instanceof ComponentFailureError || thrown instanceof AgentUnavailableError || thrown === signal?.reason) throw thrown;
      throw new ComponentFailureError({ component: `agent "${plan.name}"`, phase: "boot", ...describeThrown(thrown) });
    });
    // An inline agent cannot be interrupted while it loads: one that finishes after an abort is ended here.
    if (signal?.aborted) agent.terminate();
    signal?.throwIfAborted();
    this.agents.add(agent);
    this.health.setState(plan.name, "running");
    this.options.logger.debug("agent booted", { agent: plan.name, mode: plan.mode, idleStrategy: plan.idle.type });
  }

  // ---- runtime registration ----

  /** Runs one registration change after the one in progress; refused unless running. Failures name what was being done. */
  private change<T>(what: string, run: () => Promise<T>): Promise<T> {
    const refused = () => this.state === "running" ? undefined : new RegistrationError(`cannot ${what}: the server is ${this.state}`);
    if (refused()) return Promise.reject(refused());
    const result = this.registering.then(async () => {
      const refusal = refused();
      if (refusal) throw refusal;
      try {
        return await run();
      } catch (thrown) {
        if (thrown instanceof RegistrationError || thrown instanceof Error && thrown.name === "ConfigError") throw thrown;
        throw new RegistrationError(`cannot ${what}: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
      }
    });
    this.registering = result.catch(() => {});
    return result;
  }

  /** Starts an agent for a component registered at runtime (its components come one by one afterwards). */
  private async launchAtRuntime(plan: AgentPlan): Promise<void> {
    this.signals.set(plan.name, AgentSignals.allocate());
    this.plan.agents.push(plan);
    try {
      await this.launchAgent(plan, []);
      const agent = this.agents.get(plan.name)!;
      if (plan.mode === "worker") await calibrateClock(agent, this.epochOriginMs, this.options.logger, this.options.requestTimeoutMs);
    } catch (thrown) {
      await this.discardAgent(plan.name);
      throw thrown;
    }
  }

  /** Closes an agent started for a registration that failed, and forgets it. */
  private async discardAgent(name: string): Promise<void> {
    const agent = this.agents.get(name);
    if (agent) {
      await agent.request({ op: "close" }, this.options.requestTimeoutMs).catch(() => {});
      agent.terminate();
    }
    this.agents.remove(name);
    this.health.forget(name);
    this.counters.removeAgent(name);
    this.latency?.removeAgent(name);
    this.signals.delete(name);
    const index = this.plan.agents.findIndex((a) => a.name === name);
    if (index >= 0) this.plan.agents.splice(index, 1);
  }

  /** Runs one lifecycle step on every agent hosting the role, then connects the rings it asked for. */
  private async runPhase(phase: LifecyclePhase, role: Role, signal: AbortSignal | undefined): Promise<void> {
    const request = { op: "lifecycle", phase, role } as const;
    const { replies, failures } = await reportSlowWait(this.agents.ask(request, role, this.options.requestTimeoutMs), (waitedMs) => {
      for (const { agent } of this.agents.unanswered(request)) {
        this.options.logger.warn(`boot waiting for ${phase} of ${describeComponents(agent.plan, role)} on agent "${agent.name}" (${seconds(waitedMs)})`, { agent: agent.name });
      }
    }, SLOW_BOOT_STEP);
    if (failures.length > 0) throw failures[0].reason;
    signal?.throwIfAborted();
    await this.connect(replies);
    await this.settleAttachments();
  }

  private bootError(thrown: unknown, signal: AbortSignal | undefined): BootError {
    if (signal?.aborted && thrown === signal.reason) return new BootError("server", "boot", `aborted (${describeThrown(thrown).message.replace(/^Error: /, "")})`);
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
      case "commands":
        this.commandRoutes.changed(agent, event);
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

  /** A supervised agent is restarted (see agent-restarter.ts); any other is dead for good. */
  private agentDied(agent: string, reason: string): void {
    if (this.health.isDead(agent)) return;
    if (!this.restarter.died(agent, reason)) return this.markDead(agent, reason);
    // Its handlers register their commands again when they start again.
    this.commandRoutes.agentGone(agent);
  }

  /** A dead agent's rings are released so nobody waits on it: producers stop waiting for space, consumers see its outputs end. */
  private markDead(agent: string, reason: string): void {
    if (!this.health.died(agent, reason)) return;
    this.commandRoutes.agentGone(agent);
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
    if (this.state !== "running") return { clean: this.state === "stopped", problems: [`server is ${this.state}`], undeliveredEvents: 0, errorsReported: this.errorLog.reported, durationMs: 0 };
    this.state = "stopping";
    await this.registering; // the change in progress completes; later ones are refused
    await this.restarter.settle(); // restarts under way complete; those waiting are called off
    this.stopSequence = new StopSequence({
      agents: this.agents,
      rings: this.rings,
      log: this.options.logger,
      requestTimeoutMs: this.options.requestTimeoutMs,
      drainTimeoutMs: this.options.drainTimeoutMs,
      shutdownTimeoutMs: this.options.shutdownTimeoutMs,
      committedFeeds: this.plan.feeds.filter(keepsReadPointer).map((feed) => feed.name),
      connect: async (wants) => {
        await this.connect(wants);
        await this.settleAttachments();
      },
      giveUp: (agent, problem) => this.giveUp(agent, problem),
      closeAgents: () => this.closeAgents(),
      unresponsive: () => this.health.list().flatMap((s) => s.state === "unresponsive" ? [{ agent: s.name, reason: s.reason ?? "no heartbeat" }] : []),
      errorsReported: () => this.errorLog.reported,
    });
    const report = await this.stopSequence.run();
    this.state = "stopped";
    return report;
  }

  private async closeAgents(): Promise<void> {
    this.health.unwatch();
    await this.agents.closeAll(this.options.requestTimeoutMs, (agent: AgentEndpoint) => {
      this.commandRoutes.agentGone(agent.name);
      if (!this.health.isDead(agent.name)) this.health.setState(agent.name, "stopped");
    });
  }
}
