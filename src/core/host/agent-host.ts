/**
 * The engine on one agent thread: the {@link Agent} whose duty cycle polls the agent's inbound rings,
 * runs its feeds and flushes its writers, and the owner of the parts that build, connect and drain its
 * components. The same class runs in a worker and inline on the supervisor's thread; only its
 * {@link HostEnvironment} differs.
 *
 * The parts, one concern each: {@link ComponentFactory} builds components, {@link FeedDeliveries} fans
 * events out to handlers, {@link InboundRings} and {@link Outputs} are the rings in and out,
 * {@link attachRingEnd} connects ring ends, {@link DrainWaiters} answers drains, {@link WantsCollector}
 * asks the supervisor for rings, {@link HandlerCommands} holds the handlers' admin commands,
 * {@link AgentServices} holds the services and answers `ctx.service`, and
 * {@link controlDispatch} answers control requests.
 *
 * @module
 */
import type { Agent } from "../../agent/agent.ts";
import type { SwitchableIdleStrategy } from "../../agent/switchable-idle-strategy.ts";
import { AgentSignals } from "../../agent/signals.ts";
import { createLogger, type Logger } from "../../log/log.ts";
import type { FeedPlan, HandlerPlan, ServiceLocation, ServicePlan, SinkPlan } from "../../plan/types.ts";
import { ServerClock } from "../../time/clock.ts";
import { JsonLineError } from "../../transport/json-text-codec.ts";
import type { Backpressure, RingProducer } from "../../transport/ring.ts";
import { agentCounterSubjects, componentCounterLayout, type Counter, CounterBlock, counterLayout } from "../counters.ts";
import { DEAD_LETTER_REASONS, type DeadLetterReason } from "../dead-letter-reasons.ts";
import { DeadLetterBox } from "../dead-letters.ts";
import { ErrorReporter } from "../error-reporter.ts";
import { EventTypes } from "../event-types.ts";
import { MemoryFeed } from "../feeds/memory-feed.ts";
import { LatencyBlock } from "../latency/latency-block.ts";
import type { JsonValue } from "../commands/json-value.ts";
import type { AdminCommand, AdminCommandOptions, Scheduler, Sink } from "../handler-api.ts";
import type { SinkPlugin } from "../plugin-api.ts";
import type { TuningChange } from "../../plan/tuning.ts";
import type { AgentBoot, AgentEvent, CommandOutcome, ConfigUpdateReply, ControlRequest, Endpoint, FeedStatusEntry, LifecyclePhase, ReplyTo, Role, Wants } from "../protocol.ts";
import { AgentScheduler, type HandlerScheduler } from "./agent-scheduler.ts";
import { AgentJournals } from "./agent-journals.ts";
import { TraceScope } from "../tracing/trace-scope.ts";
import { ComponentErrors } from "./component-errors.ts";
import { ComponentFactory } from "./component-factory.ts";
import { applyConfigUpdate } from "./config-update.ts";
import type { ComponentLifecycle } from "./component-lifecycle.ts";
import { controlDispatch, type ControlTarget } from "./control-dispatch.ts";
import { type DrainRole, DrainWaiters } from "./drain-waiters.ts";
import { DURABLE_CHECK_MS, DurableAcks, tracksDurability } from "./durable-acks.ts";
import { FeedDeliveries } from "./feed-delivery.ts";
import { HandlerCommands } from "./handler-commands.ts";
import { HandlerPauses } from "./handler-pauses.ts";
import type { HandlerHost } from "./handler-context.ts";
import type { HostedFeed } from "./hosted-feed.ts";
import { AgentServices } from "./agent-services.ts";
import type { EventReceiver } from "./feed-delivery.ts";
import type { HostedHandler } from "./hosted-handler.ts";
import type { HostedService } from "./hosted-service.ts";
import { HostedSinks } from "./hosted-sink.ts";
import type { DecodeFailure } from "./inbound-ring.ts";
import { InboundRings } from "./inbound-rings.ts";
import { runPhase } from "./lifecycle-phases.ts";
import { StopProblems } from "./stop-problems.ts";
import { Outputs } from "./outputs.ts";
import { ReentrantEvents } from "./reentrant-events.ts";
import { RecordTimeline, ReplayRecordDelivery } from "./record-timeline.ts";
import type { ServiceHost } from "./service-context.ts";
import { attachRingEnd, feedRingKey, type RingEndTargets } from "./ring-ends.ts";
import { WantsCollector } from "./wants-collector.ts";

/** What differs between a worker agent and an inline one. */
export interface HostEnvironment {
  /** Sends an event to the supervisor. */
  emit(event: AgentEvent): void;
  /** How producers on this thread wait for ring space. */
  backpressure: Backpressure;
}

/**
 * @example
 * ```ts
 * const host = await AgentHost.create(boot, { emit: (event) => port.post(event), backpressure });
 * await host.handle({ op: "lifecycle", phase: "init", role: "handlers" });
 * host.doWork(); // one duty cycle
 * ```
 */
export class AgentHost implements Agent, HandlerHost, ServiceHost, ControlTarget {
  readonly roleName: string;
  readonly clock: ServerClock;
  readonly signals: AgentSignals;
  readonly counters: CounterBlock;
  readonly log: Logger;
  /** This server's fixed-layout event types, bound to their codec ids. */
  readonly eventTypes: EventTypes;
  /** Answers one control request from the supervisor. */
  readonly handle: <R extends ControlRequest>(request: R) => Promise<ReplyTo<R>>;
  private readonly reporter: ErrorReporter;
  private readonly errors: ComponentErrors;
  private readonly problems: StopProblems;
  private readonly deadLetters: DeadLetterBox;
  private readonly factory: ComponentFactory;
  private readonly feedPlans: Map<string, FeedPlan>;
  private readonly deliveries: FeedDeliveries;
  private readonly sinks: HostedSinks;
  private readonly feeds = new Map<string, HostedFeed>();
  /** The same feeds as a list, for the duty cycle. */
  private readonly feedList: HostedFeed[] = [];
  private handlers: HostedHandler[] = [];
  private readonly handlersByName = new Map<string, HostedHandler>();
  /** Every handler this agent ever hosted, by timer owner number (stable across runtime removals). */
  private readonly timerOwners: (HostedHandler | undefined)[] = [];
  private readonly ownerOf = new Map<string, number>();
  private readonly scheduler: AgentScheduler;
  /** Each handler's `ctx.scheduler` view, to move it onto the record timeline. */
  private readonly handlerSchedulers = new Map<string, HandlerScheduler>();
  /** The time of handlers that subscribed to a `clock: replayRecords` feed; made for the first of them. */
  private timeline: RecordTimeline | undefined;
  private readonly reentrant: ReentrantEvents;
  /** From the end of the handlers' start until their stop: timers fire and emitted events are delivered. */
  private handlersLive = false;
  private handlersStopped = false;
  private inDutyCycle = false;
  /**
   * A restarted agent's rings already hold events: they wait until its components have started again
   * (see {@link AgentBoot.restart}), so none reaches a handler before it subscribed.
   */
  private inboundHeld: boolean;
  private readonly services: AgentServices;
  private readonly inbound = new InboundRings();
  private readonly outputs: Outputs;
  /** End-to-end commit (only on servers with a COMMITTED file feed, from boot or added at runtime). */
  private durableAcks: DurableAcks | undefined;
  private readonly drains: DrainWaiters;
  private readonly wants: WantsCollector;
  private readonly commands: HandlerCommands;
  private readonly ringEnds: RingEndTargets;
  private readonly dutyCycles: Counter;
  private readonly idleCycles: Counter;
  private readonly decodeErrors: Counter;
  /** Most events taken from one ring per duty cycle (runtime tuning may change it). */
  private batchSize: number;
  /** The runner's idle strategy, set by the worker or inline agent that runs this host (runtime tuning switches it). */
  idleStrategy: SwitchableIdleStrategy | undefined;
  /** Every feed ring this agent produces into (see ring-ends.ts). */
  private readonly feedProducers = new Map<string, RingProducer>();
  private readonly pauses: HandlerPauses;
  /**
   * True when a feed or sink here does its I/O in the event loop's callbacks (a NATS connection): the
   * agent then parks without blocking its thread, so those callbacks run while it waits and wake it.
   */
  ioOnEventLoop = false;
  private readonly wakeAgent: () => void;
  /** Journals of journaled handlers here (none when `journal` is off): written when the agent goes idle. */
  private readonly journals: AgentJournals;

  private constructor(readonly boot: AgentBoot, environment: HostEnvironment) {
    const plan = boot.plan;
    this.roleName = plan.name;
    this.clock = new ServerClock(boot.epochOriginMs);
    this.signals = new AgentSignals(boot.signals);
    this.counters = new CounterBlock(boot.counters, counterLayout(agentCounterSubjects(plan, boot.feeds, boot.sinks)));
    this.log = createLogger(boot.log, { agent: plan.name });
    this.eventTypes = new EventTypes(boot.eventTypes);
    const reporter = new ErrorReporter(this.log, (report) => environment.emit({ event: "error", report }));
    this.reporter = reporter;
    this.errors = new ComponentErrors(plan.name, this.clock, reporter);
    this.problems = new StopProblems(plan.name);
    this.dutyCycles = this.counters.counter("agent_duty_cycles_total");
    this.idleCycles = this.counters.counter("agent_idle_cycles_total");
    this.decodeErrors = this.counters.counter("agent_decode_errors_total");
    this.batchSize = plan.batchSize ?? boot.tuning.batchSize;
    this.inboundHeld = (boot.restart ?? 0) > 0;
    const byReason = Object.fromEntries(DEAD_LETTER_REASONS.map((reason) => [reason, this.counters.counter("dead_letter_total", { reason })]));
    const deadLetterSink = boot.deadLetter;
    this.deadLetters = new DeadLetterBox(plan.name, byReason as Record<DeadLetterReason, Counter>, reporter, this.clock, () => deadLetterSink ? this.sinkWriter(deadLetterSink) : undefined);
    this.feedPlans = new Map(boot.feeds.map((f) => [f.name, f]));
    const traceScope = boot.tracing && new TraceScope();
    this.deliveries = new FeedDeliveries(this.clock, (feed) => new ReplayRecordDelivery(feed, this.clock, this.recordTimeline(), this.deadLetters), traceScope);
    // A timer or emit from outside the duty cycle (a promise or I/O callback) may find the agent in an async park that ends later.
    const wakeAgent = () => {
      if (!this.inDutyCycle) this.signals.wake.signal();
    };
    this.journals = new AgentJournals(this.clock);
    this.scheduler = new AgentScheduler(this.clock, (owner, thrown) => this.timerThrew(owner, thrown), wakeAgent);
    this.reentrant = new ReentrantEvents(this.clock);
    this.wakeAgent = wakeAgent;
    this.sinks = new HostedSinks(this.errors, this.deadLetters, () => this.inbound.markSinkRingsWritten());
    this.services = new AgentServices(plan.name, boot.services);
    this.wants = new WantsCollector((wants) => environment.emit({ event: "wants", wants }));
    this.commands = new HandlerCommands(plan.name, (event) => environment.emit(event));
    this.pauses = new HandlerPauses((feed) => {
      const feedPlan = this.feedPlans.get(feed);
      return feedPlan && this.deliveries.of(feedPlan);
    });
    this.factory = new ComponentFactory({
      boot,
      clock: this.clock,
      log: this.log,
      counters: this.counters,
      latency: boot.latency && new LatencyBlock(boot.latency.block, plan.handlers.map((h) => h.name)),
      backpressure: environment.backpressure,
      wake: wakeAgent,
      eventTypes: this.eventTypes,
      deadLetters: this.deadLetters,
      errors: this.errors,
      problems: this.problems,
      sinks: this.sinks,
      deliveries: this.deliveries,
      journals: this.journals,
      traceScope,
    });
    this.outputs = new Outputs(new Map(boot.sinks.map((s) => [s.name, s])), this.factory, this.wants, this.errors);
    this.durableAcks = tracksDurability(boot.feeds) ? new DurableAcks(this.inbound.feeds, this.outputs.sinkWriters) : undefined;
    // Handlers are drained once no event is held or waits for a retry either.
    this.drains = new DrainWaiters((role) => this.inbound.drained(role) && (role !== "handlers" || this.nothingKept()), () => this.sinks.flushAll());
    this.ringEnds = {
      clock: this.clock,
      codecs: this.eventTypes.codecs,
      feedPlans: this.feedPlans,
      feeds: this.feeds,
      sinks: this.sinks,
      deliveries: this.deliveries,
      inbound: this.inbound,
      outputs: this.outputs,
      decodeFailed: this.decodeFailed,
      feedProducers: this.feedProducers,
      traceScope,
    };
    this.handle = controlDispatch(this);
  }

  /** Builds the host: loads handler modules, mappers and plugins (on this thread), creates feeds and sinks, connects the planned rings. */
  static async create(boot: AgentBoot, environment: HostEnvironment): Promise<AgentHost> {
    const host = new AgentHost(boot, environment);
    const { factory } = host;
    for (const plan of boot.plan.services) host.services.add(await factory.service(plan, host));
    host.handlers = await factory.handlers(host, host.handlerThrew);
    for (const handler of host.handlers) host.track(handler);
    await factory.loadPipeMappers();
    const sinkPlans = boot.plan.hostedSinks.map((name) => boot.sinks.find((s) => s.name === name)!);
    // Fan-outs last: they deliver through the sinks they target.
    for (const plan of [...sinkPlans.filter((p) => p.type !== "fanout"), ...sinkPlans.filter((p) => p.type === "fanout")]) {
      host.sinks.add(await factory.sink(plan));
    }
    for (const name of boot.plan.hostedFeeds) {
      const feed = await factory.feed(host.feedPlans.get(name)!);
      host.feeds.set(name, feed);
      host.feedList.push(feed);
    }
    host.noteIoOnEventLoop();
    host.attach(boot.endpoints);
    return host;
  }

  /** The memory feed called `name` hosted here (the supervisor's agent hosts them). */
  memoryFeed(name: string): MemoryFeed | undefined {
    const plugin = this.feeds.get(name)?.plugin;
    return plugin instanceof MemoryFeed ? plugin : undefined;
  }

  /** The sink called `name` hosted here. */
  sinkPlugin(name: string): SinkPlugin | undefined {
    return this.sinks.get(name)?.plugin;
  }

  /** Status of every feed hosted here, and of each sink that reports one (`kind: "sink"`). */
  feedStatus(): FeedStatusEntry[] {
    const sinks = this.sinks.all.filter((sink) => sink.plugin.status).map((sink): FeedStatusEntry => ({
      feed: sink.name,
      kind: "sink",
      agent: this.roleName,
      ...sink.plugin.status!(),
      completed: false,
      subscribers: 0,
    }));
    return [...this.feedList.map((feed) => feed.status(this.roleName)), ...sinks];
  }

  /** Looks again whether a feed or sink here does its I/O in the event loop (see {@link AgentHost.ioOnEventLoop}). */
  private noteIoOnEventLoop(): void {
    this.ioOnEventLoop = this.feedList.some((feed) => feed.plugin.ioOnEventLoop === true) || this.sinks.all.some((sink) => sink.plugin.ioOnEventLoop === true);
  }

  // ---- duty cycle ----

  doWork(): number {
    this.inDutyCycle = true;
    this.dutyCycles.inc();
    const batch = this.batchSize;
    let work = this.inboundHeld ? 0 : this.inbound.pollHandlerRings(batch);
    if (this.deliveries.hasQueued) work += this.deliveries.deliverQueued();
    if (this.handlersLive) {
      if (this.reentrant.size > 0) work += this.reentrant.deliverQueued();
      work += this.scheduler.runDue(batch);
    }
    if (!this.inboundHeld) work += this.inbound.pollSinkRings(batch);
    work += this.services.runDutyCycles();
    const feeds = this.feedList;
    for (let i = 0; i < feeds.length; i++) work += feeds[i].runDutyCycle();
    // Every cycle, not only busy ones: handlers also send from timers and promise callbacks.
    this.outputs.flush();
    if (work === 0) {
      this.idleCycles.inc();
      this.sinks.flushIfTouched();
      if (this.journals.size > 0) this.journals.flushDue();
    }
    if (this.inbound.hasLaterWrites) this.inbound.acknowledgeLaterWrites();
    if (this.durableAcks) {
      if (work !== 0) this.sinks.flushIfDue(performance.now(), DURABLE_CHECK_MS);
      this.durableAcks.advance(!this.nothingKept());
    }
    if (this.drains.waiting) this.drains.resolveReady();
    this.inDutyCycle = false;
    return work;
  }

  /** True if a ring has events waiting, a local pipe or emitted event waits, or a pending drain can now be answered. */
  hasPendingInput(): boolean {
    return (!this.inboundHeld && this.inbound.hasPending()) || this.deliveries.hasQueued || (this.handlersLive && this.reentrant.size > 0) || this.drains.anyReady();
  }

  /** Until the earliest timer of a handler or a feed: parks end no later. */
  millisToNextDeadline(): number {
    let soonest = Math.min(this.handlersLive ? this.scheduler.millisToNextDeadline() : Infinity, this.services.millisToNextDeadline(), this.sinks.millisUntilProbe());
    if (this.durableAcks?.waiting) soonest = Math.min(soonest, DURABLE_CHECK_MS);
    if (this.journals.size > 0) soonest = Math.min(soonest, this.journals.millisToNextFlush());
    for (const feed of this.feedList) soonest = Math.min(soonest, feed.millisToNextDeadline());
    return soonest;
  }

  // ---- called by handler and service contexts ----

  /** Subscribes a handler or service to a feed or pipe; the supervisor connects a ring for the agent's first subscriber. */
  subscribe(receiverName: string, feedName: string): void {
    if (!this.receive(receiverName, feedName)) return;
    this.wants.subscription(receiverName, feedName);
  }

  service(caller: string, name: string): unknown {
    return this.services.instance(caller, name);
  }

  /** Publishes on a feed the service declared in `publishes`; false once that feed stopped. */
  publishFromService(serviceName: string, feedName: string, value: unknown): boolean {
    const publishes = this.services.get(serviceName)!.plan.publishes;
    if (!publishes.includes(feedName)) {
      throw new Error(`service "${serviceName}" on agent "${this.roleName}" cannot publish to "${feedName}": it publishes ${publishes.join(", ") || "no feeds (list them in its publishes)"}`);
    }
    const feed = this.feeds.get(feedName)!;
    const state = feed.lifecycle.state;
    if (state === "stopped" || state === "tornDown") return false;
    const sent = feed.channel.publish(value);
    if (!this.inDutyCycle) feed.publisher.flush();
    return sent;
  }

  /** The writer for a sink or pipe; the supervisor connects its rings on first use. */
  sinkWriter(name: string): Sink {
    return this.outputs.writer(name);
  }

  /** Registers a handler's admin command and tells the supervisor. */
  registerCommand(handlerName: string, name: string, fn: AdminCommand, options?: AdminCommandOptions): void {
    this.commands.register(handlerName, name, fn, options);
  }

  /** Queues an event a handler emitted to itself; delivered on a later duty cycle. */
  emit(handlerName: string, event: unknown): void {
    if (this.handlersStopped) throw new Error(`handler "${handlerName}" on agent "${this.roleName}" cannot emit: the handlers have stopped`);
    this.reentrant.push(this.handlersByName.get(handlerName)!, event);
    this.wakeAgent();
  }

  schedulerFor(handlerName: string): Scheduler {
    const scheduler = this.scheduler.forHandler(handlerName, this.timerOwner(handlerName));
    this.handlerSchedulers.set(handlerName, scheduler);
    return scheduler;
  }

  // ---- control requests (see control-dispatch.ts) ----

  /** Runs a phase on every component of a role; returns the rings they asked for meanwhile. */
  runLifecycle(phase: LifecyclePhase, role: Role): Promise<Wants> {
    // A stopping handler takes no more commands.
    if (phase === "stop" && role === "handlers") for (const handler of this.handlers) this.commands.unregisterAll(handler.name);
    return this.wants.during(async () => {
      if (phase === "stop" && role === "handlers") this.endHandlerTimers();
      try {
        await runPhase(this.lifecycles(role), phase, this.roleName, (component, failedPhase, thrown) => this.lifecycleFailed(component, failedPhase, thrown));
      } finally {
        this.outputs.flush();
      }
      if (phase === "start" && role === "handlers") {
        this.receiveBroadcastFeeds();
        this.handlersLive = true;
      }
      // Pipes written from this agent start with the feeds: cached values go out now.
      if (phase === "startComplete" && role === "feeds") {
        this.outputs.goLive();
        this.inboundHeld = false;
      }
    });
  }

  attach(endpoints: readonly Endpoint[]): void {
    for (const endpoint of endpoints) attachRingEnd(endpoint, this.ringEnds);
  }

  drain(role: DrainRole): Promise<void> {
    // Events kept for a retry or behind an open circuit do not wait out backoffs at stop.
    if (role === "handlers") for (const handler of this.handlers) handler.guard?.hurry();
    // A handler paused with hold would keep its rings full forever: it gets what they hold instead.
    if (role === "handlers") this.pauses.releaseHolds();
    return this.drains.wait(role);
  }

  /** Whether every pipe ring into this agent, and its local pipe queue, is empty right now. */
  pipesQuiet(): boolean {
    return !this.deliveries.hasQueued && this.inbound.pipesEmpty();
  }

  closeOutputs(): void {
    this.outputs.close();
  }

  /** What makes the stop unclean on this agent (see stop-problems.ts). */
  stopProblems(): string[] {
    return this.problems.list();
  }

  /** The agent is finished: errors held back by rate limiting are summarized now, not lost. */
  close(): void {
    this.reporter.flush();
  }

  /** Runs a handler's admin command. Called between duty cycles (control requests never interrupt one). */
  runCommand(handler: string, name: string, args: JsonValue | undefined): Promise<CommandOutcome> {
    return this.commands.run(handler, name, args);
  }

  // ---- runtime registration (see supervisor/registration.ts): one component at a time ----

  /** Loads a handler registered at runtime; its counters and latency histograms are in blocks of their own. */
  async addHandler(plan: HandlerPlan, counters: SharedArrayBuffer, latency?: SharedArrayBuffer): Promise<void> {
    if (this.handlers.some((h) => h.name === plan.name)) throw new Error(`agent "${this.roleName}" already has a handler "${plan.name}"`);
    const block = new CounterBlock(counters, componentCounterLayout({ agent: this.roleName, handlers: [plan.name], feeds: [] }));
    const histograms = latency && new LatencyBlock(latency, [plan.name]);
    const handler = await this.factory.handler(plan, this, this.handlerThrew, block, histograms);
    this.handlers.push(handler);
    this.track(handler);
  }

  /** Runs one phase on one runtime-registered handler or hosted feed; a handler's start also brings it every broadcast feed. */
  componentPhase(kind: "handler" | "feed", name: string, phase: LifecyclePhase): Promise<Wants> {
    const lifecycle = kind === "handler" ? this.handlers.find((h) => h.name === name)?.lifecycle : this.feeds.get(name)?.lifecycle;
    if (!lifecycle) throw new Error(`agent "${this.roleName}" has no ${kind} "${name}"`);
    // A stopping handler takes no more commands and fires no more timers, as when all handlers stop.
    if (kind === "handler" && phase === "stop") this.endHandler(name);
    return this.wants.during(async () => {
      try {
        await runPhase([lifecycle], phase, this.roleName, (component, failedPhase, thrown) => this.lifecycleFailed(component, failedPhase, thrown));
      } finally {
        this.outputs.flush();
      }
      if (phase !== "start" || kind !== "handler") return;
      // Unlike at boot, the supervisor planned no rings for it: ask for them like subscriptions.
      for (const feed of this.feedPlans.values()) if (feed.broadcast) this.subscribe(name, feed.name);
      // On an agent started at runtime, this is the first handler to start: its timers may run now.
      if (!this.handlersStopped) this.handlersLive = true;
    });
  }

  /** Forgets a stopped, torn-down handler; returns the feeds whose rings into this agent no handler needs any more. */
  removeHandler(name: string): string[] {
    const handler = this.handlers.find((h) => h.name === name);
    if (!handler) return [];
    this.handlers = this.handlers.filter((h) => h !== handler);
    // A held handler must not keep holding the feeds it shared with the handlers that stay.
    this.pauses.resume(handler);
    this.endHandler(name);
    this.handlersByName.delete(name);
    this.handlerSchedulers.delete(name);
    this.ownerOf.delete(name);
    return this.deliveries.removeEverywhere(handler);
  }

  /** Learns of a feed added at runtime: handlers may subscribe to it, and every handler here receives it if it broadcasts. */
  knowFeed(feed: FeedPlan): Promise<Wants> {
    this.feedPlans.set(feed.name, feed);
    if (!this.durableAcks && tracksDurability([feed])) this.durableAcks = new DurableAcks(this.inbound.feeds, this.outputs.sinkWriters);
    return this.wants.during(async () => {
      if (feed.broadcast) for (const handler of this.handlers) this.subscribe(handler.name, feed.name);
    });
  }

  /** Builds a feed added at runtime and hosts it here (its lifecycle runs through {@link componentPhase}). */
  async hostFeed(plan: FeedPlan, counters: SharedArrayBuffer): Promise<void> {
    const block = new CounterBlock(counters, componentCounterLayout({ agent: this.roleName, handlers: [], feeds: [plan.name] }));
    const feed = await this.factory.feed(plan, block);
    this.feeds.set(plan.name, feed);
    this.feedList.push(feed);
    this.noteIoOnEventLoop();
  }

  /** Forgets a hosted feed that was stopped (its rings closed) and torn down. */
  unhostFeed(name: string): void {
    const feed = this.feeds.get(name);
    if (!feed) return;
    this.feeds.delete(name);
    this.feedList.splice(this.feedList.indexOf(feed), 1);
  }

  /** Closes the ring this agent publishes a feed or pipe into for `consumerAgent`, whose handlers no longer receive it. */
  detachRing(feed: string, consumerAgent: string): void {
    this.feedProducers.delete(feedRingKey(feed, consumerAgent));
    if (!this.outputs.detachPipe(feed, consumerAgent)) this.feeds.get(feed)?.removeSubscriber(consumerAgent);
  }

  /** Waits until every ring of `feed` into this agent is closed and consumed, then drops them. */
  async dropInbound(feed: string): Promise<void> {
    await this.drains.until(() => this.inbound.feedDrained(feed));
    this.inbound.removeFeed(feed);
    this.durableAcks?.reset();
  }

  /** Drops a removed feed's rings once drained, then forgets it: subscriptions to it end. */
  async forgetFeed(feed: string): Promise<void> {
    await this.dropInbound(feed);
    for (const handler of this.handlers) handler.subscriptions.delete(feed);
    this.deliveries.forget(feed);
    this.feedPlans.delete(feed);
  }

  updateConfig(handlerName: string, patch: Record<string, unknown>): ConfigUpdateReply {
    const handler = this.handlersByName.get(handlerName);
    if (!handler) return { applied: false, reason: `no handler "${handlerName}" on agent "${this.roleName}"` };
    const reply = applyConfigUpdate(handler, patch);
    // Values sent from onConfigChange go out now, as from a lifecycle step.
    this.outputs.flush();
    if (reply.applied) handler.context.log.info("config updated", { config: reply.config });
    else handler.context.log.warn("config update rejected", { reason: reply.reason });
    return reply;
  }

  /**
   * A service registered at runtime. Where `plan` is given, an instance is built and started here (torn
   * down again if a step throws), then every handler here is told; elsewhere only its location is noted.
   */
  addService(location: ServiceLocation, plan?: ServicePlan): Promise<Wants> {
    this.services.locate(location);
    return this.wants.during(async () => {
      if (!plan) return;
      const service = await this.factory.service(plan, this);
      this.services.add(service);
      try {
        for (const phase of ["init", "start", "startComplete"] as const) await this.runServicePhase(service, phase);
      } catch (thrown) {
        await this.retireService(service);
        this.services.forget(plan.name);
        throw thrown;
      } finally {
        this.outputs.flush();
      }
      this.tellHandlers("onServiceRegistered", plan.name, service.instance);
    });
  }

  /** A service removed at runtime: handlers here are told first, then its instance stops and is torn down. */
  async removeService(name: string): Promise<void> {
    this.services.forget(name);
    const service = this.services.get(name);
    if (!service) return;
    this.tellHandlers("onServiceDeregistered", name);
    await this.retireService(service);
    this.outputs.flush();
  }

  /**
   * Applies one runtime tuning change. Control requests are handled between duty cycles, so the next cycle
   * runs with it: a new idle strategy from its next idle cycle, a batch size from its next poll.
   */
  tune(change: TuningChange): void {
    switch (change.kind) {
      case "idleStrategy":
        this.idleStrategy!.switchTo(change.spec);
        break;
      case "batchSize":
        this.batchSize = change.size;
        break;
      case "onFull": {
        // Both ends are asked (see RingProducer.changePolicy for the order); each does its own part.
        this.feedProducers.get(feedRingKey(change.feed, change.consumerAgent))?.changePolicy(change.policy);
        if (change.consumerAgent === this.roleName) {
          for (const ring of this.inbound.feeds) if (ring.source === change.feed) ring.consumer.takeEachRecord(change.policy === "dropOldest");
        }
        break;
      }
      case "pauseFeed":
        this.feeds.get(change.feed)!.paused = change.paused;
        break;
      case "pauseHandler": {
        const handler = this.handlersByName.get(change.handler);
        if (!handler) throw new Error(`no handler "${change.handler}" on agent "${this.roleName}"`);
        if (change.policy) this.pauses.pause(handler, change.policy);
        else this.pauses.resume(handler);
        break;
      }
    }
    this.log.info("runtime tuning applied", { change });
  }

  // ---- internals ----

  /** Adds the handler or service to the feed's delivery; false if it already received it. */
  private receive(receiverName: string, feedName: string): boolean {
    const service = this.services.get(receiverName);
    const who = service ? `service "${receiverName}"` : `handler "${receiverName}"`;
    const feed = this.feedPlans.get(feedName);
    if (!feed) throw new Error(`${who} cannot subscribe to "${feedName}": no such feed (feeds: ${[...this.feedPlans.keys()].join(", ") || "none"})`);
    if (service && !service.instance.onEvent) throw new Error(`${who} cannot subscribe to "${feedName}": it has no onEvent method to receive events`);
    const receiver: EventReceiver = service ?? this.handlers.find((h) => h.name === receiverName)!;
    if (receiver.subscriptions.has(feedName)) return false;
    receiver.subscriptions.add(feedName);
    this.deliveries.of(feed).add(receiver);
    if (feed.clock === "replayRecords" && !service) this.followRecordTime(receiverName);
    return true;
  }

  /** The handler's `ctx.clock` and the timers it sets from now on follow the records of `clock: replayRecords` feeds. */
  private followRecordTime(handlerName: string): void {
    const timeline = this.recordTimeline();
    this.handlersByName.get(handlerName)!.context.followClock(timeline.clock);
    this.handlerSchedulers.get(handlerName)!.moveTo(timeline.scheduler);
  }

  private recordTimeline(): RecordTimeline {
    return this.timeline ??= new RecordTimeline(this.clock.epochMillis(), this.boot.epochOriginMs, (owner, thrown) => this.timerThrew(owner, thrown));
  }

  private async runServicePhase(service: HostedService, phase: LifecyclePhase): Promise<void> {
    await runPhase([service.lifecycle], phase, this.roleName, (component, failedPhase, thrown) => this.lifecycleFailed(component, failedPhase, thrown));
  }

  /** Stops and tears down one service (as far as it got) and takes it off this agent. */
  private async retireService(service: HostedService): Promise<void> {
    await this.runServicePhase(service, "stop");
    await this.runServicePhase(service, "tearDown");
    this.deliveries.removeEverywhere(service);
    this.services.remove(service.name);
  }

  /** Calls a service notification on every handler here that implements it; a throw is reported, the rest are still told. */
  private tellHandlers(method: "onServiceRegistered" | "onServiceDeregistered", name: string, instance?: unknown): void {
    for (const handler of this.handlers) {
      try {
        handler.instance[method]?.(name, instance);
      } catch (thrown) {
        handler.errors.inc();
        this.errors.report("handler", handler.name, method, thrown);
      }
    }
  }

  /**
   * Every handler receives broadcast feeds without subscribing. Their rings came with the boot message,
   * and the supervisor knows these subscriptions from the plan, so nothing is asked for.
   */
  private receiveBroadcastFeeds(): void {
    for (const feed of this.feedPlans.values()) {
      if (!feed.broadcast) continue;
      for (const handler of this.handlers) this.receive(handler.name, feed.name);
    }
  }

  private lifecycles(role: Role): ComponentLifecycle[] {
    if (role === "handlers") return this.handlers.map((h) => h.lifecycle);
    if (role === "sinks") return this.sinks.all.map((s) => s.lifecycle);
    if (role === "services") return this.services.all.map((s) => s.lifecycle);
    return this.feedList.map((f) => f.lifecycle);
  }

  private lifecycleFailed(component: ComponentLifecycle, phase: LifecyclePhase, thrown: unknown): void {
    if (component.kind === "handler") this.handlers.find((h) => h.lifecycle === component)?.errors.inc();
    if (component.kind === "sink") this.sinks.get(component.name)?.errors.inc();
    // Forward phases fail the boot, which reports them; stop and tearDown go on, so report here, and
    // keep it for the stop report.
    if (phase === "stop" || phase === "tearDown") {
      this.errors.report(component.kind, component.name, phase, thrown);
      this.problems.phaseFailed(component.kind, component.name, phase, thrown);
    }
  }

  /** No handler here holds an event or has one waiting for a retry. */
  private nothingKept(): boolean {
    for (const handler of this.handlers) if (handler.guard !== undefined && handler.guard.pending > 0) return false;
    return true;
  }

  /**
   * Handlers stop now: their timers are cancelled, events they emitted but were not yet delivered are
   * dropped (logged), and events still held or waiting for a retry become dead letters.
   */
  private endHandlerTimers(): void {
    this.handlersLive = false;
    this.handlersStopped = true;
    for (const handler of this.handlers) handler.guard?.abandon();
    const timers = this.scheduler.clear() + (this.timeline?.scheduler.clear() ?? 0);
    const emitted = this.reentrant.clear();
    if (timers > 0 || emitted > 0) this.log.info("handlers stopping: pending timers cancelled, undelivered emitted events dropped", { timers, emitted });
  }

  /** One handler stops: its commands, timers and queued emitted events go (idempotent). */
  private endHandler(name: string): void {
    this.commands.unregisterAll(name);
    const owner = this.ownerOf.get(name);
    if (owner !== undefined) {
      this.scheduler.clear(owner);
      this.timeline?.scheduler.clear(owner);
    }
    const handler = this.handlersByName.get(name);
    handler?.guard?.abandon();
    if (handler) this.reentrant.forget(handler);
  }

  /** Makes a hosted handler reachable by name and the one its timers' owner number stands for. */
  private track(handler: HostedHandler): void {
    this.handlersByName.set(handler.name, handler);
    this.timerOwners[this.timerOwner(handler.name)] = handler;
  }

  /**
   * The handler's timer owner number, given on the first ask: its context asks (for `ctx.scheduler`) while
   * it is built, before {@link track} knows the handler.
   */
  private timerOwner(handlerName: string): number {
    let owner = this.ownerOf.get(handlerName);
    if (owner === undefined) {
      owner = this.timerOwners.push(undefined) - 1;
      this.ownerOf.set(handlerName, owner);
    }
    return owner;
  }

  private timerThrew(owner: number, thrown: unknown): void {
    // Tracked before its start, so before any of its timers can fire.
    const handler = this.timerOwners[owner]!;
    handler.errors.inc();
    this.errors.report("handler", handler.name, "scheduler callback", thrown);
  }

  private readonly decodeFailed: DecodeFailure = (error, source, sequenceNumber) => {
    if (error instanceof JsonLineError) {
      // A bad line of a JSON feed, parsed here rather than on the feed's agent: a dead letter like any other.
      if (error.report) this.deadLetters.send({ reason: "parse-error", feed: source, sequenceNumber, error, event: error.raw, origin: { line: error.line, offset: error.offset } });
      return;
    }
    this.decodeErrors.inc();
    this.errors.decodeFailed(source, sequenceNumber, error);
  };

  private readonly handlerThrew = (handler: HostedHandler, thrown: unknown, feed: string, sequenceNumber: number, event: unknown): void => {
    handler.errors.inc();
    this.errors.report("handler", handler.name, "onEvent", thrown, { feed, sequenceNumber, event });
    this.deadLetters.send({ reason: "handler-error", feed, handler: handler.name, sequenceNumber, error: thrown, event });
  };
}
