/**
 * The supervisor: boots the agents a plan describes, owns every ring (it creates the shared memory and
 * hands one end to each side), runs the lifecycle across agents in order, watches agents' heartbeats,
 * and stops everything gracefully.
 *
 * Boot: agents are spawned and load their handlers; then `init`, then `start` (handlers subscribe and ask
 * for sinks; the supervisor wires a ring per request), then `startComplete` — each phase over sinks, then
 * handlers, then feeds.
 *
 * Stop: feeds stop and close their rings → every handler agent drains its rings → handlers stop (values
 * they send still flow) → their sink rings close → sink hosts drain and flush → sinks stop → everything
 * is torn down (feeds, handlers, sinks) → agent threads end. Nothing accepted before stop is lost.
 *
 * @module
 */
import type { LocalWork } from "../agent/backpressure.ts";
import { type HeartbeatRecord, judgeLiveness, watchdogIntervalMs } from "../agent/liveness.ts";
import { AgentSignals } from "../agent/signals.ts";
import type { AgentPlan, ServerPlan } from "../config/plan.ts";
import { SUPERVISOR_AGENT } from "../config/plan.ts";
import { ServerClock } from "../runtime/clock.ts";
import { allocateCalibration, measureClockOffset } from "../runtime/clock-calibration.ts";
import { createRingBuffer, markConsumerGone, markProducerClosed, readRingStats, type RingStats } from "../transport/ring.ts";
import { type AgentEndpoint, AgentUnavailableError, InlineAgent, WorkerAgent } from "./agent-endpoint.ts";
import { ComponentFailureError, type FeedStatusEntry } from "./agent-host.ts";
import { agentCounterSubjects, allocateCounters, CounterBlock, type CounterSample, counterLayout } from "./counters.ts";
import { BootError, describeThrown, type ErrorReport } from "./errors.ts";
import type { Logger, LogSettings } from "./log.ts";
import { type AgentBoot, type AgentEvent, type ControlRequest, describeRequest, type LifecyclePhase, type Role, type Tuning } from "./protocol.ts";

/** Supervisor settings beyond the plan. */
export interface SupervisorOptions {
  log: LogSettings;
  logger: Logger;
  tuning: Tuning;
  /** Data bytes per ring (power of two). */
  ringCapacity: number;
  /** Longest wait for an agent to boot or answer a lifecycle request. */
  requestTimeoutMs: number;
  /** Longest wait for an agent to drain its rings while stopping. */
  drainTimeoutMs: number;
  /** A worker whose heartbeat has not moved for this long is reported unresponsive. */
  unresponsiveAfterMs: number;
}

/** How an agent is doing, as the supervisor sees it. */
export type AgentState = "starting" | "running" | "unresponsive" | "dead" | "stopped";

export interface AgentStatus {
  name: string;
  mode: "worker" | "inline";
  state: AgentState;
  /** Why the agent is dead or unresponsive. */
  reason?: string;
  /** Milliseconds since its heartbeat last moved (workers only). */
  heartbeatAgeMs?: number;
  /** The CPU the agent's thread is actually pinned to; absent unless pinning to its `coreId` succeeded. */
  pinnedCore?: number;
  /**
   * What became of its `coreId`, for people: `pinned to CPU 1 (tid 12345)` or `not pinned: <why>` (no
   * FFI, sched_setaffinity failed, inline agent). Absent when no `coreId` is configured.
   */
  pinning?: string;
}

/** One ring, its two ends and its live statistics. */
export interface RingInfo extends RingStats {
  kind: "feed" | "sink";
  /** Feed or sink name. */
  name: string;
  producer: string;
  consumer: string;
}

/** What a stop achieved. */
export interface StopReport {
  /** True when every step completed and every ring was drained. */
  clean: boolean;
  /** Steps that failed or timed out, each naming the agent. */
  problems: string[];
  /** Events still in rings when the agents ended (0 after a clean stop). */
  undeliveredEvents: number;
  durationMs: number;
}

interface RingRecord {
  kind: "feed" | "sink";
  name: string;
  producer: string;
  consumer: string;
  buffer: SharedArrayBuffer;
}

const ROLES: Role[] = ["sinks", "handlers", "feeds"];
const RECENT_ERRORS = 100;

function hosts(plan: AgentPlan, role: Role): boolean {
  if (role === "handlers") return plan.handlers.length > 0;
  if (role === "sinks") return plan.hostedSinks.length > 0;
  // Handlers may write to pipes, whose writers start with the feeds.
  return plan.hostedFeeds.length > 0 || plan.handlers.length > 0;
}

/**
 * @example
 * ```ts
 * const supervisor = new Supervisor(buildPlan(config), options);
 * await supervisor.boot();
 * supervisor.supervisorHost.memoryFeed("prices")?.offer(1);
 * const report = await supervisor.stop();
 * ```
 */
export class Supervisor {
  private readonly epochOriginMs = performance.timeOrigin;
  private readonly agents = new Map<string, AgentEndpoint>();
  private readonly counters = new Map<string, CounterBlock>();
  private readonly status = new Map<string, AgentStatus & HeartbeatRecord>();
  private readonly rings: RingRecord[] = [];
  private readonly subscriptions = new Map<string, Map<string, Set<string>>>();
  /** Agents that subscribed to each feed or pipe. */
  private readonly subscribers = new Map<string, Set<string>>();
  /** Agents that write to each pipe. */
  private readonly pipeWriters = new Map<string, Set<string>>();
  private readonly pipeSequences: SharedArrayBuffer;
  private readonly inlineAgents: InlineAgent[] = [];
  private wiring: Promise<unknown>[] = [];
  private readonly recentErrors: ErrorReport[] = [];
  private readonly errorListeners = new Set<(report: ErrorReport) => void>();
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private stopping: Promise<StopReport> | undefined;
  private state: "created" | "booting" | "running" | "stopping" | "stopped" | "failed" = "created";

  constructor(readonly plan: ServerPlan, private readonly options: SupervisorOptions) {
    this.pipeSequences = new SharedArrayBuffer(8 * Math.max(1, plan.feeds.filter((f) => f.type === "pipe").length));
  }

  /** The supervisor's own agent (hosts memory feeds and the supervisor-side sinks). */
  get supervisorHost() {
    return (this.agents.get(SUPERVISOR_AGENT) as InlineAgent).host;
  }

  /** Boots every agent and runs init/start/startComplete; on failure stops what started and throws BootError. */
  async boot(): Promise<void> {
    const log = this.options.logger;
    const startedAt = performance.now();
    this.state = "booting";
    try {
      await this.spawnAgents();
      for (const agent of this.agents.values()) if (agent instanceof WorkerAgent) await this.calibrateClock(agent);
      for (const phase of ["init", "start"] as LifecyclePhase[]) {
        for (const role of ROLES) await this.runPhase(phase, role);
      }
      await this.settleWiring();
      for (const role of ROLES) await this.runPhase("startComplete", role);
    } catch (thrown) {
      this.state = "failed";
      const error = this.bootError(thrown);
      log.error("boot failed; stopping what was started", { component: error.component, phase: error.phase, cause: error.causeMessage });
      await this.rollback();
      throw error;
    }
    this.state = "running";
    this.watchdog = setInterval(() => this.checkHeartbeats(), watchdogIntervalMs(this.options.unresponsiveAfterMs));
    log.info("server running", {
      agents: this.plan.agents.length - 1,
      feeds: this.plan.feeds.length,
      sinks: this.plan.sinks.length,
      bootMs: Math.round(performance.now() - startedAt),
    });
  }

  /** Stops gracefully (see the module doc). Safe to call more than once: later calls get the same report. */
  stop(): Promise<StopReport> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  /** Listens for error reports from every agent; returns a function that stops listening. */
  onError(listener: (report: ErrorReport) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  /** The last 100 error reports, oldest first. */
  errors(): ErrorReport[] {
    return this.recentErrors.slice();
  }

  /** Every counter of every agent. */
  counterSamples(): CounterSample[] {
    return [...this.counters.values()].flatMap((block) => block.read());
  }

  /** Every ring with its live statistics. */
  ringInfo(): RingInfo[] {
    return this.rings.map(({ buffer, ...ring }) => ({ ...ring, ...readRingStats(buffer) }));
  }

  /** Agents and how they are doing. */
  agentStatus(): AgentStatus[] {
    const now = performance.now();
    return [...this.status.values()].map(({ lastHeartbeat: _beat, lastBeatAt, probedAt: _probed, ...status }) =>
      status.mode === "worker" ? { ...status, heartbeatAgeMs: Math.round(now - lastBeatAt) } : status
    );
  }

  /** Status of every feed, asked of the agents that host them. */
  async feedStatus(): Promise<FeedStatusEntry[]> {
    const hostsOfFeeds = [...this.agents.values()].filter((agent) => agent.plan.hostedFeeds.length > 0);
    const replies = await Promise.allSettled(hostsOfFeeds.map((agent) => agent.request({ op: "status" }, this.options.requestTimeoutMs)));
    return replies.flatMap((reply, index) => reply.status === "fulfilled"
      ? reply.value as FeedStatusEntry[]
      : hostsOfFeeds[index].plan.hostedFeeds.map((feed) => ({ feed, agent: hostsOfFeeds[index].name, connected: false, detail: (reply.reason as Error).message, completed: false, subscribers: 0 })));
  }

  /** Handler subscriptions by agent and handler. */
  subscriptionsOf(agent: string): Map<string, Set<string>> {
    return this.subscriptions.get(agent) ?? new Map();
  }

  // ---- boot ----

  private bootFor(plan: AgentPlan): AgentBoot {
    const layout = counterLayout(agentCounterSubjects(plan, this.plan.feeds, this.plan.sinks));
    const counters = allocateCounters(layout);
    this.counters.set(plan.name, new CounterBlock(counters, layout));
    return {
      plan,
      eventTypes: this.plan.eventTypes,
      feeds: this.plan.feeds,
      sinks: this.plan.sinks,
      deadLetter: this.plan.deadLetter,
      pipeSequences: this.pipeSequences,
      epochOriginMs: this.epochOriginMs,
      signals: AgentSignals.allocate(),
      counters,
      log: this.options.log,
      tuning: this.options.tuning,
    };
  }

  private async spawnAgents(): Promise<void> {
    const listeners = {
      onEvent: (agent: string, event: AgentEvent) => this.agentEvent(agent, event),
      onExit: (agent: string, reason: string) => this.agentDied(agent, reason),
    };
    const localWork = (): Iterable<LocalWork> => this.inlineAgents;
    const results = await Promise.allSettled(this.plan.agents.map(async (plan) => {
      this.status.set(plan.name, { name: plan.name, mode: plan.mode, state: "starting", lastHeartbeat: 0, lastBeatAt: performance.now() });
      // Workers report their pinning; an inline agent shares this thread, which is never pinned.
      if (plan.mode === "inline" && plan.coreId !== undefined) this.status.get(plan.name)!.pinning = "not pinned: an inline agent runs on the supervisor's thread";
      const boot = this.bootFor(plan);
      const agent = plan.mode === "worker"
        ? await WorkerAgent.start(boot, listeners, this.options.requestTimeoutMs)
        : await InlineAgent.start(boot, listeners, localWork);
      if (agent instanceof InlineAgent) this.inlineAgents.push(agent);
      this.agents.set(plan.name, agent);
      this.setState(plan.name, "running");
      this.options.logger.debug("agent booted", { agent: plan.name, mode: plan.mode, idleStrategy: plan.idle.type });
    }));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
  }

  /** Measures a worker's clock against this thread's and has it correct itself (see clock-calibration.ts). */
  private async calibrateClock(agent: WorkerAgent): Promise<void> {
    const buffer = allocateCalibration();
    const served = agent.request({ op: "calibrateClock", buffer }, this.options.requestTimeoutMs);
    const offsetNanos = measureClockOffset(buffer, new ServerClock(this.epochOriginMs), 2_000);
    await served;
    if (offsetNanos === undefined) {
      this.options.logger.warn("clock calibration timed out; cross-thread timestamps may be off by ~1 µs", { agent: agent.name });
      return;
    }
    await agent.request({ op: "correctClock", offsetNanos }, this.options.requestTimeoutMs);
    this.options.logger.debug("clock calibrated", { agent: agent.name, offsetNanos: Math.round(offsetNanos) });
  }

  private async runPhase(phase: LifecyclePhase, role: Role): Promise<void> {
    const targets = [...this.agents.values()].filter((agent) => hosts(agent.plan, role));
    const results = await Promise.allSettled(targets.map((agent) => agent.request({ op: "lifecycle", phase, role }, this.options.requestTimeoutMs)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failure) throw failure.reason;
  }

  private async settleWiring(): Promise<void> {
    while (this.wiring.length > 0) {
      const batch = this.wiring;
      this.wiring = [];
      await Promise.all(batch);
    }
  }

  private bootError(thrown: unknown): BootError {
    if (thrown instanceof ComponentFailureError) return new BootError(thrown.failure.component, thrown.failure.phase, thrown.failure.message);
    if (thrown instanceof AgentUnavailableError) return new BootError(`agent "${thrown.agent}"`, "boot", thrown.message);
    if (thrown instanceof BootError) return thrown;
    return new BootError("server", "boot", describeThrown(thrown).message);
  }

  private async rollback(): Promise<void> {
    for (const role of [...ROLES].reverse()) await this.everywhere({ op: "lifecycle", phase: "stop", role }, role);
    for (const role of [...ROLES].reverse()) await this.everywhere({ op: "lifecycle", phase: "tearDown", role }, role);
    await this.closeAgents();
  }

  // ---- wiring ----

  private agentEvent(agent: string, event: AgentEvent): void {
    switch (event.event) {
      case "subscribe": {
        const byHandler = this.subscriptions.get(agent) ?? new Map<string, Set<string>>();
        this.subscriptions.set(agent, byHandler);
        const feeds = byHandler.get(event.handler) ?? new Set<string>();
        byHandler.set(event.handler, feeds.add(event.feed));
        this.subscribed(event.feed, agent);
        return;
      }
      case "needSink":
        this.writing(event.sink, agent);
        return;
      case "error":
        this.recordError(event.report);
        return;
      case "pinning": {
        const status = this.status.get(agent);
        if (status) Object.assign(status, { pinnedCore: event.core, pinning: event.detail });
        return;
      }
      case "fatal":
        this.agentDied(agent, event.message);
        this.agents.get(agent)?.terminate();
        return;
    }
  }

  /** An agent subscribed to a feed: a ring from the feed's host, or from every agent writing to the pipe. */
  private subscribed(feedName: string, agent: string): void {
    const feed = this.plan.feeds.find((f) => f.name === feedName);
    if (!feed) return;
    const subscribers = this.subscribers.get(feedName) ?? new Set<string>();
    if (subscribers.has(agent)) return;
    this.subscribers.set(feedName, subscribers.add(agent));
    if (feed.type !== "pipe") return this.wire("feed", feed.name, feed.id, feed.host, agent);
    for (const writer of this.pipeWriters.get(feedName) ?? []) {
      if (writer !== agent) this.wire("feed", feed.name, feed.id, writer, agent);
    }
  }

  /** An agent writes to a sink: a ring to the sink's host, or to every agent subscribed to the pipe. */
  private writing(sinkName: string, agent: string): void {
    const sink = this.plan.sinks.find((s) => s.name === sinkName);
    if (!sink) return;
    if (sink.type !== "pipe") return this.wire("sink", sink.name, sink.id, agent, sink.host);
    const pipe = this.plan.feeds.find((f) => f.name === sink.pipe)!;
    const writers = this.pipeWriters.get(pipe.name) ?? new Set<string>();
    this.pipeWriters.set(pipe.name, writers.add(agent));
    for (const subscriber of this.subscribers.get(pipe.name) ?? []) {
      if (subscriber !== agent) this.wire("feed", pipe.name, pipe.id, agent, subscriber);
    }
  }

  /** Creates the ring from `producer` to `consumer` for a feed (or pipe) or a sink, and hands each its end. */
  private wire(kind: "feed" | "sink", name: string, id: number, producer: string, consumer: string): void {
    if (this.rings.some((r) => r.kind === kind && r.name === name && r.producer === producer && r.consumer === consumer)) return;
    const producerAgent = this.agents.get(producer);
    const consumerAgent = this.agents.get(consumer);
    if (!producerAgent || !consumerAgent) return;
    const buffer = createRingBuffer(this.options.ringCapacity, id);
    this.rings.push({ kind, name, producer, consumer, buffer });
    const consumerSignals = consumerAgent.signals.buffer;
    const attach = (target: AgentEndpoint, request: ControlRequest) => {
      const done = target.request(request, this.options.requestTimeoutMs).catch((thrown) => {
        this.options.logger.error("could not connect a ring", { kind, name, agent: target.name, cause: describeThrown(thrown).message });
      });
      this.wiring.push(done);
    };
    if (kind === "feed") {
      attach(consumerAgent, { op: "attach", endpoints: [{ kind: "feedConsumer", feed: name, ring: buffer }] });
      attach(producerAgent, { op: "attach", endpoints: [{ kind: "feedProducer", feed: name, ring: buffer, consumerAgent: consumer, consumerSignals }] });
    } else {
      attach(consumerAgent, { op: "attach", endpoints: [{ kind: "sinkConsumer", sink: name, ring: buffer, producerAgent: producer }] });
      attach(producerAgent, { op: "attach", endpoints: [{ kind: "sinkProducer", sink: name, ring: buffer, consumerSignals }] });
    }
  }

  // ---- health ----

  private recordError(report: ErrorReport): void {
    this.recentErrors.push(report);
    if (this.recentErrors.length > RECENT_ERRORS) this.recentErrors.shift();
    for (const listener of this.errorListeners) {
      try {
        listener(report);
      } catch (thrown) {
        this.options.logger.warn("an onError listener threw", { cause: describeThrown(thrown).message });
      }
    }
  }

  private setState(agent: string, state: AgentState, reason?: string): void {
    const status = this.status.get(agent);
    if (!status) return;
    status.state = state;
    status.reason = reason;
  }

  /** A dead agent's rings are released so nobody waits on it: producers stop waiting for space, consumers see its outputs end. */
  private agentDied(agent: string, reason: string): void {
    const status = this.status.get(agent);
    if (!status || status.state === "dead" || status.state === "stopped") return;
    this.setState(agent, "dead", reason);
    for (const ring of this.rings) {
      if (ring.consumer === agent) markConsumerGone(ring.buffer);
      if (ring.producer === agent) markProducerClosed(ring.buffer);
    }
    const undelivered = this.rings.filter((r) => r.consumer === agent).reduce((sum, r) => sum + readRingStats(r.buffer).depth, 0);
    this.options.logger.error("agent died", { agent, reason, undeliveredEvents: undelivered });
    this.recordError({ time: Date.now(), source: "agent", agent, component: agent, phase: "run", message: `agent "${agent}" died: ${reason}` });
  }

  private checkHeartbeats(): void {
    const now = performance.now();
    for (const [name, agent] of this.agents) {
      const status = this.status.get(name)!;
      if (agent.plan.mode !== "worker" || status.state === "dead" || status.state === "stopped") continue;
      const verdict = judgeLiveness(status, agent.signals.heartbeat(), now, this.options.unresponsiveAfterMs);
      if (verdict === "probe") agent.signals.wake.signal(); // a parked agent answers with a heartbeat
      if (verdict === "beating") {
        if (status.state === "unresponsive") {
          this.setState(name, "running");
          this.options.logger.warn("agent responsive again", { agent: name });
        }
      } else if (verdict === "unresponsive" && status.state === "running") {
        const reason = `no heartbeat for ${Math.round(now - status.lastBeatAt)} ms (stuck in a handler, or its thread ended)`;
        this.setState(name, "unresponsive", reason);
        this.options.logger.error("agent unresponsive", { agent: name, reason });
        this.recordError({ time: Date.now(), source: "agent", agent: name, component: name, phase: "run", message: `agent "${name}" is unresponsive: ${reason}` });
      }
    }
  }

  // ---- stop ----

  /**
   * Sends a request to every agent hosting `role` (all agents if no role); returns the failures. While
   * stopping (or rolling back a failed boot), an agent that does not answer in time is given up on
   * (treated as dead, its rings released), so one stuck agent costs one timeout, not one per step.
   */
  private async everywhere(request: ControlRequest, role?: Role, timeoutMs = this.options.requestTimeoutMs): Promise<string[]> {
    const targets = [...this.agents.values()].filter((agent) => role === undefined || hosts(agent.plan, role));
    const results = await Promise.allSettled(targets.map((agent) => agent.request(request, timeoutMs)));
    const what = describeRequest(request);
    return results.flatMap((result, index) => {
      if (result.status === "fulfilled") return [];
      const agent = targets[index];
      const problem = `${what} on agent "${agent.name}": ${(result.reason as Error).message}`;
      if ((this.state === "stopping" || this.state === "failed") && result.reason instanceof AgentUnavailableError && result.reason.timedOut) {
        this.agentDied(agent.name, problem);
        agent.terminate();
      }
      return [problem];
    });
  }

  private async runStop(): Promise<StopReport> {
    const startedAt = performance.now();
    const log = this.options.logger;
    if (this.state !== "running") return { clean: this.state === "stopped", problems: [`server is ${this.state}`], undeliveredEvents: 0, durationMs: 0 };
    this.state = "stopping";
    log.info("stopping: feeds first, then draining every ring");
    const problems: string[] = [];
    const step = async (request: ControlRequest, role?: Role, timeoutMs?: number) => problems.push(...await this.everywhere(request, role, timeoutMs));
    await step({ op: "lifecycle", phase: "stop", role: "feeds" }, "feeds");
    await step({ op: "drain", role: "handlers" }, "handlers", this.options.drainTimeoutMs);
    const quiet = await this.pipesQuiet();
    if (!quiet) problems.push(`pipes still carried events after ${this.options.drainTimeoutMs} ms (handlers feeding each other?); stopping anyway`);
    await step({ op: "lifecycle", phase: "stop", role: "handlers" }, "handlers");
    await this.settleWiring();
    await step({ op: "closeOutputs" }); // every agent: feeds' agents write dead letters too
    await step({ op: "drain", role: "sinks" }, "sinks", this.options.drainTimeoutMs);
    await step({ op: "lifecycle", phase: "stop", role: "sinks" }, "sinks");
    for (const role of ["feeds", "handlers", "sinks"] as Role[]) await step({ op: "lifecycle", phase: "tearDown", role }, role);
    const undeliveredEvents = this.ringInfo().reduce((sum, ring) => sum + ring.depth, 0);
    await this.closeAgents();
    this.state = "stopped";
    const report = { clean: problems.length === 0 && undeliveredEvents === 0, problems, undeliveredEvents, durationMs: Math.round(performance.now() - startedAt) };
    if (report.clean) log.info("stopped", { durationMs: report.durationMs });
    else log.error("stopped with problems", { problems: report.problems, undeliveredEvents });
    return report;
  }

  /**
   * Pipes close only after their writers (handlers) stop, so they cannot be drained like feeds. Once the
   * feeds are drained, pipes carry only what handlers derive; wait until every pipe ring and local pipe
   * queue is empty and no pipe event was published between two looks.
   */
  private async pipesQuiet(): Promise<boolean> {
    const pipeRings = () => this.rings.filter((r) => r.kind === "feed" && this.plan.feeds.find((f) => f.name === r.name)?.type === "pipe");
    if (!this.plan.feeds.some((f) => f.type === "pipe")) return true;
    const deadline = performance.now() + this.options.drainTimeoutMs;
    let lastPublished = -1;
    while (performance.now() < deadline) {
      const stats = pipeRings().map((r) => readRingStats(r.buffer));
      const published = stats.reduce((sum, s) => sum + s.publishedEvents, 0);
      const replies = await Promise.allSettled([...this.agents.values()].filter((a) => a.plan.handlers.length > 0)
        .map((agent) => agent.request({ op: "drain", role: "pipes" }, this.options.requestTimeoutMs)));
      const quiet = replies.every((r) => r.status === "rejected" || r.value === true) && stats.every((s) => s.depth === 0);
      if (quiet && published === lastPublished) return true;
      lastPublished = quiet ? published : -1;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return false;
  }

  private async closeAgents(): Promise<void> {
    clearInterval(this.watchdog);
    await Promise.allSettled([...this.agents.values()].map(async (agent) => {
      try {
        await agent.request({ op: "close" }, this.options.requestTimeoutMs);
      } catch (thrown) {
        if (!(thrown instanceof AgentUnavailableError)) throw thrown;
      } finally {
        agent.terminate();
        if (this.status.get(agent.name)?.state !== "dead") this.setState(agent.name, "stopped");
      }
    }));
  }
}
