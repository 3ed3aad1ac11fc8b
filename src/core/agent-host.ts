/**
 * The engine on one agent thread. It hosts the agent's components (handlers, and the feeds and sinks
 * placed on it), runs their lifecycle on this thread, connects the ring ends the supervisor hands it, and
 * is the {@link Agent} whose duty cycle polls those rings and runs its feeds.
 *
 * The same class runs in a worker and inline on the supervisor's thread; only its environment differs.
 *
 * @module
 */
import type { Agent } from "../agent/agent.ts";
import { AgentSignals } from "../agent/signals.ts";
import type { FeedPlan, SinkPlan } from "../config/plan.ts";
import { type Clock, ServerClock } from "../runtime/clock.ts";
import { serveClockCalibration } from "../runtime/clock-calibration.ts";
import { type FixedEvent, isFixedEvent } from "../transport/fixed-layout.ts";
import { JsonLineError } from "../transport/json-text-codec.ts";
import { type Backpressure, RingConsumer, RingProducer } from "../transport/ring.ts";
import { agentCounterSubjects, type Counter, CounterBlock, counterLayout } from "./counters.ts";
import { DEAD_LETTER_REASONS, DeadLetterBox, type DeadLetterReason } from "./dead-letters.ts";
import { describeThrown, ErrorReporter, type ErrorSource, summarizeEvent } from "./errors.ts";
import { createFeed } from "./feeds/create-feed.ts";
import { FeedChannel } from "./feeds/feed-channel.ts";
import { FeedPublisher } from "./feeds/feed-publisher.ts";
import { MemoryFeed } from "./feeds/memory-feed.ts";
import type { EventMeta, Handler, HandlerContext, Sink } from "./handler-api.ts";
import { HandlerLoadError, loadHandler } from "./handler-loader.ts";
import { EventTypes } from "./event-types.ts";
import { InboundRing, ReusedMeta } from "./inbound.ts";
import { ComponentLifecycle, isForwardPhase } from "./lifecycle.ts";
import { createLogger, type Logger } from "./log.ts";
import { ModuleLoadError } from "./module-loader.ts";
import { PipeWriter } from "./pipes/pipe-writer.ts";
import type { FeedPlugin, SinkPlugin } from "./plugin-api.ts";
import type { AgentBoot, AgentEvent, ComponentFailure, ControlRequest, Endpoint, LifecyclePhase, Role } from "./protocol.ts";
import { createSink, type FanoutWiring } from "./sinks/create-sink.ts";
import type { FanoutTarget } from "./sinks/fanout-sink.ts";
import { SinkWriter } from "./sinks/sink-writer.ts";
import { loadFeedMapper, loadSinkMapper, type Mapper } from "./value-mappers.ts";

/** How one feed is doing. */
export interface FeedStatusEntry {
  feed: string;
  agent: string;
  /** False while its source is unavailable (e.g. a file that does not exist yet). */
  connected: boolean;
  detail?: string;
  /** The feed declared it has nothing more to publish (e.g. a file read once). */
  completed: boolean;
  /** Agents whose handlers receive this feed; a feed with none stays idle. */
  subscribers: number;
}

/** What differs between a worker agent and an inline one. */
export interface HostEnvironment {
  /** Sends an event to the supervisor. */
  emit(event: AgentEvent): void;
  /** How producers on this thread wait for ring space. */
  backpressure: Backpressure;
}

/** A lifecycle step that failed, carried back to the supervisor. */
export class ComponentFailureError extends Error {
  constructor(readonly failure: ComponentFailure) {
    super(`${failure.component} failed during ${failure.phase}: ${failure.message}`);
    this.name = "ComponentFailureError";
  }
}

class HandlerContextImpl implements HandlerContext {
  readonly config: Readonly<Record<string, unknown>>;
  constructor(
    readonly handlerName: string,
    readonly agentName: string,
    config: Record<string, unknown>,
    readonly clock: Clock,
    readonly log: Logger,
    private readonly host: AgentHost,
  ) {
    this.config = Object.freeze({ ...config });
  }
  subscribe(feedName: string): void {
    this.host.subscribe(this.handlerName, feedName);
  }
  sink<T = unknown>(name: string): Sink<T> {
    return this.host.sinkWriter(name) as Sink<T>;
  }
  newEvent(typeName: string): FixedEvent {
    const type = this.host.eventTypes.get(typeName);
    return type.flyweight().wrap(new Uint8Array(type.byteLength), 0);
  }
}

class HostedHandler {
  readonly subscriptions = new Set<string>();
  readonly lifecycle: ComponentLifecycle;

  constructor(
    readonly name: string,
    readonly instance: Handler,
    readonly context: HandlerContextImpl,
    private readonly events: Counter,
    readonly errors: Counter,
    private readonly failed: (handler: HostedHandler, thrown: unknown, feed: string, sequence: number, event: unknown) => void,
  ) {
    this.lifecycle = new ComponentLifecycle("handler", name, (phase) => {
      if (phase === "init" || phase === "start") return instance[phase]?.(context);
      return instance[phase]?.();
    });
  }

  deliver(event: unknown, meta: EventMeta): void {
    this.events.inc();
    try {
      const result = this.instance.onEvent(event, meta) as unknown;
      if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
        const { feed, sequenceNumber } = meta;
        (result as Promise<unknown>).then(undefined, (thrown) => this.failed(this, thrown, feed, sequenceNumber, event));
      }
    } catch (thrown) {
      this.failed(this, thrown, meta.feed, meta.sequenceNumber, event);
    }
  }
}

/** `wrapWithNamedEvent`'s envelope. */
interface NamedEvent {
  feedName: string;
  sequenceNumber: number;
  data: unknown;
}

/** Fans one feed's events out to the handlers on this agent that receive it. */
class FeedDelivery {
  readonly handlers: HostedHandler[] = [];
  private readonly localMeta: ReusedMeta;
  /** Reused around fixed-layout events, which are only valid during onEvent anyway: no allocation per event. */
  private readonly reusedEnvelope: NamedEvent;
  constructor(readonly feed: FeedPlan, clock: Clock) {
    this.localMeta = new ReusedMeta(feed.name, clock);
    this.reusedEnvelope = { feedName: feed.name, sequenceNumber: 0, data: undefined };
  }
  add(handler: HostedHandler): void {
    if (!this.handlers.includes(handler)) this.handlers.push(handler);
  }
  private wrap(value: unknown, meta: EventMeta): NamedEvent {
    if (!isFixedEvent(value)) return { feedName: meta.feed, sequenceNumber: meta.sequenceNumber, data: value };
    const envelope = this.reusedEnvelope;
    envelope.sequenceNumber = meta.sequenceNumber;
    envelope.data = value;
    return envelope;
  }
  readonly deliver = (value: unknown, meta: EventMeta): void => {
    const event = this.feed.wrapWithNamedEvent ? this.wrap(value, meta) : value;
    const handlers = this.handlers;
    for (let i = 0; i < handlers.length; i++) handlers[i].deliver(event, meta);
  };
  /** A pipe event written on this very agent. */
  deliverLocal(value: unknown, sequence: number, publishedNanos: number): void {
    this.localMeta.sequenceNumber = sequence;
    this.localMeta.publishedNanos = publishedNanos;
    this.deliver(value, this.localMeta);
  }
}

interface HostedSink {
  plan: SinkPlan;
  plugin: SinkPlugin;
  mapper?: Mapper;
  lifecycle: ComponentLifecycle;
  values: Counter;
  errors: Counter;
  mapperDropped: Counter;
}

interface HostedFeed {
  plan: FeedPlan;
  plugin: FeedPlugin;
  channel: FeedChannel;
  publisher: FeedPublisher;
  lifecycle: ComponentLifecycle;
  /** Its duty cycle runs: from start (caching) or startComplete, until stop. */
  producing: boolean;
}

interface DrainWaiter {
  role: "handlers" | "sinks";
  resolve(): void;
}

/** What a feed or sink sees as `ctx.config`: a plugin's `config` map, or a built-in type's own keys. */
function pluginConfig(plan: FeedPlan | SinkPlan): Readonly<Record<string, unknown>> {
  return Object.freeze({ ...(plan.type === "module" ? plan.settings.config as Record<string, unknown> : plan.settings) });
}

/** The writing side of `ctx.sink(name)`: to a sink's host, or into a pipe. */
type Writer = SinkWriter | PipeWriter;

/**
 * @example
 * ```ts
 * const host = await AgentHost.create(boot, { emit: (event) => port.post(event), backpressure });
 * await host.handle({ op: "lifecycle", phase: "init", role: "handlers" });
 * host.doWork(); // one duty cycle
 * ```
 */
export class AgentHost implements Agent {
  readonly roleName: string;
  readonly clock: ServerClock;
  readonly signals: AgentSignals;
  readonly counters: CounterBlock;
  readonly log: Logger;
  private readonly reporter: ErrorReporter;
  private readonly deadLetters: DeadLetterBox;
  private readonly handlers: HostedHandler[] = [];
  private readonly sinks = new Map<string, HostedSink>();
  private readonly feeds = new Map<string, HostedFeed>();
  private readonly feedList: HostedFeed[] = [];
  private readonly feedPlans: Map<string, FeedPlan>;
  private readonly sinkPlans: Map<string, SinkPlan>;
  private readonly deliveries = new Map<string, FeedDelivery>();
  private readonly feedInbound: InboundRing[] = [];
  private readonly pipeInbound: InboundRing[] = [];
  private readonly sinkInbound: InboundRing[] = [];
  private readonly writers = new Map<string, Writer>();
  /** The same writers as a list: flushed every duty cycle, where iterating a Map would allocate. */
  private readonly writerList: Writer[] = [];
  private readonly pipeWriters = new Map<string, PipeWriter>();
  private readonly pipeMappers = new Map<string, Mapper>();
  private readonly pipeSequences: BigInt64Array;
  private localPipeEvents: { delivery: FeedDelivery; value: unknown; sequence: number; publishedNanos: number }[] = [];
  private readonly dutyCycles: Counter;
  private readonly idleCycles: Counter;
  private readonly decodeErrors: Counter;
  private readonly sinkDropped: Counter;
  private readonly batchSize: number;
  /** This server's fixed-layout event types, bound to their codec ids. */
  readonly eventTypes: EventTypes;
  private drainWaiters: DrainWaiter[] = [];
  private sinksNeedFlush = false;
  private feedsLive = false;

  private constructor(readonly boot: AgentBoot, private readonly environment: HostEnvironment) {
    const plan = boot.plan;
    this.roleName = plan.name;
    this.clock = new ServerClock(boot.epochOriginMs);
    this.signals = new AgentSignals(boot.signals);
    this.counters = new CounterBlock(boot.counters, counterLayout(agentCounterSubjects(plan, boot.feeds, boot.sinks)));
    this.log = createLogger(boot.log, { agent: plan.name });
    this.reporter = new ErrorReporter(this.log, (report) => environment.emit({ event: "error", report }));
    this.feedPlans = new Map(boot.feeds.map((f) => [f.name, f]));
    this.sinkPlans = new Map(boot.sinks.map((s) => [s.name, s]));
    this.pipeSequences = new BigInt64Array(boot.pipeSequences);
    this.dutyCycles = this.counters.counter("agent_duty_cycles_total");
    this.idleCycles = this.counters.counter("agent_idle_cycles_total");
    this.decodeErrors = this.counters.counter("agent_decode_errors_total");
    this.sinkDropped = this.counters.counter("agent_sink_dropped_total");
    const byReason = Object.fromEntries(DEAD_LETTER_REASONS.map((reason) => [reason, this.counters.counter("dead_letters_total", { reason })]));
    const deadLetterSink = boot.deadLetter;
    this.deadLetters = new DeadLetterBox(plan.name, byReason as Record<DeadLetterReason, Counter>, this.reporter, this.clock, () => deadLetterSink ? this.sinkWriter(deadLetterSink) : undefined);
    this.batchSize = plan.batchSize ?? boot.tuning.batchSize;
    this.eventTypes = new EventTypes(boot.eventTypes);
  }

  /** Builds the host: loads handler modules, mappers and plugins (on this thread), creates feeds and sinks. */
  static async create(boot: AgentBoot, environment: HostEnvironment): Promise<AgentHost> {
    const host = new AgentHost(boot, environment);
    await host.loadHandlers();
    for (const pipe of boot.feeds.filter((f) => f.type === "pipe" && f.mapper)) {
      const mapper = await loadFeedMapper(pipe.mapper).catch((error) => {
        if (!(error instanceof ModuleLoadError)) throw error;
        throw new ComponentFailureError({ component: `pipe "${pipe.name}" value mapper (${error.where}) on agent "${host.roleName}"`, phase: "load", message: error.reason });
      });
      host.pipeMappers.set(pipe.name, mapper!);
    }
    const sinkPlans = boot.plan.hostedSinks.map((name) => host.sinkPlans.get(name)!);
    // Fan-outs last: they deliver through the sinks they target.
    for (const plan of [...sinkPlans.filter((p) => p.type !== "fanout"), ...sinkPlans.filter((p) => p.type === "fanout")]) {
      await host.failingAs("sink", plan.name, () => host.hostSink(plan));
    }
    for (const name of boot.plan.hostedFeeds) {
      const plan = host.feedPlans.get(name)!;
      await host.failingAs("feed", plan.name, () => host.hostFeed(plan));
    }
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

  /** Status of every feed hosted here. */
  feedStatus(): FeedStatusEntry[] {
    return this.feedList.map((f) => ({
      feed: f.plan.name,
      agent: this.roleName,
      ...(f.plugin.status?.() ?? { connected: true }),
      completed: f.channel.completed,
      subscribers: f.publisher.subscriberCount,
    }));
  }

  /** Handles one control request from the supervisor. */
  handle(request: ControlRequest): Promise<unknown> | unknown {
    switch (request.op) {
      case "lifecycle":
        return this.lifecycle(request.phase, request.role);
      case "attach":
        for (const endpoint of request.endpoints) this.attach(endpoint);
        return undefined;
      case "drain":
        return request.role === "pipes" ? this.pipesQuiet() : this.drain(request.role);
      case "closeOutputs":
        for (const writer of this.writerList) {
          const lost = writer.close();
          if (lost > 0) this.report("sink", writer.name, "stop", new Error(`${lost} values sent to "${writer.name}" could not be delivered`));
        }
        return undefined;
      case "calibrateClock":
        serveClockCalibration(request.buffer, this.clock, 2_000);
        return undefined;
      case "correctClock":
        this.clock.correct(request.offsetNanos);
        return undefined;
      case "status":
        return this.feedStatus();
      case "close":
        return undefined;
    }
  }

  // ---- duty cycle ----

  doWork(): number {
    this.dutyCycles.inc();
    let work = 0;
    const batch = this.batchSize;
    for (let i = 0; i < this.feedInbound.length; i++) work += this.feedInbound[i].poll(batch);
    for (let i = 0; i < this.pipeInbound.length; i++) work += this.pipeInbound[i].poll(batch);
    if (this.localPipeEvents.length > 0) work += this.deliverLocalPipeEvents();
    for (let i = 0; i < this.sinkInbound.length; i++) work += this.sinkInbound[i].poll(batch);
    for (let i = 0; i < this.feedList.length; i++) {
      const feed = this.feedList[i];
      if (feed.producing && feed.plugin.doWork) work += this.runFeed(feed);
      feed.publisher.flush();
    }
    // Every cycle, not only busy ones: handlers also send from timers and promise callbacks.
    const writers = this.writerList;
    for (let i = 0; i < writers.length; i++) writers[i].flush();
    if (work === 0) {
      this.idleCycles.inc();
      if (this.sinksNeedFlush) this.flushSinks();
    }
    if (this.drainWaiters.length > 0) this.resolveDrains();
    return work;
  }

  /** True if a ring has events waiting, a local pipe event waits, or a pending drain can now be answered. */
  hasPendingInput(): boolean {
    const pending = (rings: InboundRing[]) => rings.some((r) => r.consumer.hasPending());
    if (pending(this.feedInbound) || pending(this.pipeInbound) || pending(this.sinkInbound) || this.localPipeEvents.length > 0) return true;
    return this.drainWaiters.some((waiter) => this.drained(waiter.role));
  }

  millisToNextDeadline(): number {
    let soonest = Infinity;
    for (const feed of this.feedList) {
      if (feed.producing && feed.plugin.millisToNextDeadline) soonest = Math.min(soonest, feed.plugin.millisToNextDeadline());
    }
    return soonest;
  }

  // ---- called by handler contexts ----

  /** Subscribes a handler to a feed or pipe; the supervisor connects a ring for the agent's first subscriber. */
  subscribe(handlerName: string, feedName: string): void {
    const feed = this.feedPlans.get(feedName);
    if (!feed) throw new Error(`handler "${handlerName}" cannot subscribe to "${feedName}": no such feed (feeds: ${[...this.feedPlans.keys()].join(", ") || "none"})`);
    const handler = this.handlers.find((h) => h.name === handlerName)!;
    if (handler.subscriptions.has(feedName)) return;
    handler.subscriptions.add(feedName);
    this.delivery(feed).add(handler);
    this.environment.emit({ event: "subscribe", handler: handlerName, feed: feedName });
  }

  /** The writer for a sink or pipe; the supervisor connects its rings on first use. */
  sinkWriter(name: string): Writer {
    let writer = this.writers.get(name);
    if (writer) return writer;
    const plan = this.sinkPlans.get(name);
    if (!plan) throw new Error(`no sink named "${name}" (sinks: ${[...this.sinkPlans.keys()].join(", ") || "none"})`);
    writer = plan.type === "pipe" ? this.pipeWriter(plan) : new SinkWriter(name, this.clock, this.environment.backpressure, () => this.sinkDropped.inc());
    this.writers.set(name, writer);
    this.writerList.push(writer);
    this.environment.emit({ event: "needSink", sink: name });
    return writer;
  }

  // ---- internals: building ----

  private async loadHandlers(): Promise<void> {
    for (const plan of this.boot.plan.handlers) {
      const instance = await loadHandler(plan).catch((error) => {
        if (!(error instanceof HandlerLoadError)) throw error;
        throw new ComponentFailureError({ component: `handler "${error.handler}" (${error.where}) on agent "${this.roleName}"`, phase: "load", message: error.reason });
      });
      const log = plan.logLevel ? createLogger({ ...this.boot.log, level: plan.logLevel }, { agent: this.roleName, handler: plan.name }) : this.log.child({ handler: plan.name });
      const context = new HandlerContextImpl(plan.name, this.roleName, plan.config, this.clock, log, this);
      this.handlers.push(new HostedHandler(
        plan.name,
        instance,
        context,
        this.counters.counter("handler_events_total", { handler: plan.name }),
        this.counters.counter("handler_errors_total", { handler: plan.name }),
        (handler, thrown, feed, sequence, event) => this.handlerThrew(handler, thrown, feed, sequence, event),
      ));
    }
  }

  /** Runs a loading step, turning a module problem into a failure that names the component. */
  private async failingAs(kind: "feed" | "sink", name: string, load: () => Promise<void>): Promise<void> {
    try {
      await load();
    } catch (error) {
      if (!(error instanceof ModuleLoadError)) throw error;
      throw new ComponentFailureError({ component: `${kind} "${name}" (${error.where}) on agent "${this.roleName}"`, phase: "load", message: error.reason });
    }
  }

  private async hostSink(plan: SinkPlan): Promise<void> {
    const plugin = await createSink(plan, () => this.fanoutWiring(plan));
    const context = { sinkName: plan.name, agentName: this.roleName, config: pluginConfig(plan), clock: this.clock, log: this.log.child({ sink: plan.name }) };
    this.sinks.set(plan.name, {
      plan,
      plugin,
      mapper: await loadSinkMapper(plan.mapper),
      lifecycle: new ComponentLifecycle("sink", plan.name, (phase) => {
        if (phase === "init" || phase === "start") return plugin[phase]?.(context);
        if (phase === "stop") plugin.flush?.();
        return plugin[phase]?.();
      }),
      values: this.counters.counter("sink_values_total", { sink: plan.name }),
      errors: this.counters.counter("sink_errors_total", { sink: plan.name }),
      mapperDropped: this.counters.counter("sink_mapper_dropped_total", { sink: plan.name }),
    });
  }

  /** Hands a value to a hosted sink: its mapper, then its accept. Throws what the sink throws. */
  private sinkAccept(hosted: HostedSink, value: unknown, meta: EventMeta): void {
    let mapped = value;
    if (hosted.mapper) {
      mapped = hosted.mapper(value);
      if (mapped === null || mapped === undefined) {
        hosted.mapperDropped.inc();
        return;
      }
    }
    hosted.plugin.accept(mapped, meta);
  }

  private fanoutWiring(plan: SinkPlan): FanoutWiring {
    const targets = (plan.settings.targets as string[]).map((name): FanoutTarget => {
      const labels = { sink: plan.name, target: name };
      return {
        name,
        deliver: (value, meta) => {
          const hosted = this.sinks.get(name)!;
          this.sinksNeedFlush = true;
          hosted.values.inc();
          this.sinkAccept(hosted, value, meta);
        },
        delivered: this.counters.counter("fanout_delivered_total", labels),
        failures: this.counters.counter("fanout_failures_total", labels),
        skipped: this.counters.counter("fanout_skipped_total", labels),
        circuitOpen: this.counters.counter("fanout_circuit_open", labels),
      };
    });
    const report = (target: string, error: unknown, meta: EventMeta, value: unknown) => {
      this.sinks.get(target)?.errors.inc();
      this.report("sink", target, `accept (via fan-out "${plan.name}")`, error, meta.feed, meta.sequenceNumber, value);
    };
    return { targets, report };
  }

  private async hostFeed(plan: FeedPlan): Promise<void> {
    const publisher = new FeedPublisher(plan.name, this.clock, this.environment.backpressure, {
      published: this.counters.counter("feed_published_total", { feed: plan.name }),
      unrouted: this.counters.counter("feed_unrouted_total", { feed: plan.name }),
      dropped: this.counters.counter("feed_dropped_total", { feed: plan.name }),
    });
    const channel = new FeedChannel(plan.name, this.roleName, pluginConfig(plan), this.clock, this.log.child({ feed: plan.name }), {
      publisher,
      mapper: await loadFeedMapper(plan.mapper),
      cache: plan.cache,
      deadLetters: this.deadLetters,
      mapperDropped: this.counters.counter("feed_mapper_dropped_total", { feed: plan.name }),
      onEncodingError: plan.type === "memory" ? "throw" : "dead-letter",
      eventType: plan.eventType === undefined ? undefined : this.eventTypes.get(plan.eventType),
    });
    const plugin = await createFeed(plan, channel, publisher);
    const hosted: HostedFeed = {
      plan,
      plugin,
      channel,
      publisher,
      producing: false,
      lifecycle: new ComponentLifecycle("feed", plan.name, async (phase) => {
        switch (phase) {
          case "init":
            return await plugin.init?.(channel);
          case "start":
            await plugin.start?.(channel);
            hosted.producing = plan.cache.enabled;
            return;
          case "startComplete":
            channel.goLive();
            // Every subscriber is connected by now. Reading a source nobody receives would consume it
            // (a COMMITTED file would move its pointer past lines no handler saw), so it stays idle.
            hosted.producing = publisher.subscriberCount > 0;
            if (!hosted.producing) this.log.warn("no handler subscribes to this feed: it stays idle and what is offered to it reaches no one", { feed: plan.name });
            return await plugin.startComplete?.();
          case "stop":
            hosted.producing = false;
            try {
              return await plugin.stop?.();
            } finally {
              publisher.close();
            }
          case "tearDown":
            return await plugin.tearDown?.();
        }
      }),
    };
    this.feeds.set(plan.name, hosted);
    this.feedList.push(hosted);
  }

  private pipeWriter(plan: SinkPlan): PipeWriter {
    const pipe = this.feedPlans.get(plan.pipe!)!;
    const index = this.boot.feeds.filter((f) => f.type === "pipe").findIndex((f) => f.name === pipe.name);
    const writer = new PipeWriter(plan.name, pipe.name, this.clock, this.environment.backpressure, {
      mapper: this.pipeMappers.get(pipe.name),
      eventType: pipe.eventType === undefined ? undefined : this.eventTypes.get(pipe.eventType),
      deadLetters: this.deadLetters,
      mapperDropped: this.counters.counter("pipe_mapper_dropped_total", { pipe: pipe.name }),
      unrouted: this.counters.counter("pipe_unrouted_total", { pipe: pipe.name }),
      dropped: () => this.sinkDropped.inc(),
      nextSequence: () => Number(Atomics.add(this.pipeSequences, index, 1n)) + 1,
      local: () => {
        const delivery = this.deliveries.get(pipe.name);
        if (!delivery || delivery.handlers.length === 0) return undefined;
        return (value, sequence, publishedNanos) => void this.localPipeEvents.push({ delivery, value, sequence, publishedNanos });
      },
    });
    if (pipe.cache.enabled && !this.feedsLive) writer.hold();
    this.pipeWriters.set(pipe.name, writer);
    return writer;
  }

  private delivery(feed: FeedPlan): FeedDelivery {
    let delivery = this.deliveries.get(feed.name);
    if (!delivery) {
      delivery = new FeedDelivery(feed, this.clock);
      this.deliveries.set(feed.name, delivery);
    }
    return delivery;
  }

  private deliverLocalPipeEvents(): number {
    const events = this.localPipeEvents;
    this.localPipeEvents = [];
    for (const { delivery, value, sequence, publishedNanos } of events) delivery.deliverLocal(value, sequence, publishedNanos);
    return events.length;
  }

  // ---- internals: lifecycle and wiring ----

  private lifecycles(role: Role): ComponentLifecycle[] {
    if (role === "handlers") return this.handlers.map((h) => h.lifecycle);
    if (role === "sinks") return [...this.sinks.values()].map((s) => s.lifecycle);
    return this.feedList.map((f) => f.lifecycle);
  }

  /** Runs a phase on every component of a role: forward phases in order and stopping at the first failure; stop and tearDown in reverse order and through failures. */
  private async lifecycle(phase: LifecyclePhase, role: Role): Promise<void> {
    const forward = isForwardPhase(phase);
    const components = forward ? this.lifecycles(role) : this.lifecycles(role).reverse();
    try {
      for (const component of components) {
        try {
          await component.run(phase);
        } catch (thrown) {
          const { message, stack } = describeThrown(thrown);
          if (component.kind === "feed") this.feeds.get(component.name)!.channel.abandonClaim();
          this.countLifecycleError(component);
          const label = `${component.kind} "${component.name}" on agent "${this.roleName}"`;
          if (forward) throw new ComponentFailureError({ component: label, phase, message, stack });
          this.report(component.kind, component.name, phase, thrown);
        }
      }
    } finally {
      for (const writer of this.writerList) writer.flush();
    }
    if (phase === "start" && role === "handlers") this.applyBroadcastFeeds();
    if (phase === "startComplete" && role === "feeds") {
      // Pipes written from this agent start with the feeds: cached values go out now.
      this.feedsLive = true;
      for (const writer of this.pipeWriters.values()) writer.release();
    }
  }

  private countLifecycleError(component: ComponentLifecycle): void {
    if (component.kind === "handler") this.handlers.find((h) => h.lifecycle === component)?.errors.inc();
    if (component.kind === "sink") this.sinks.get(component.name)?.errors.inc();
  }

  /** Every handler receives broadcast feeds without subscribing; they are recorded as subscriptions. */
  private applyBroadcastFeeds(): void {
    for (const feed of this.feedPlans.values()) {
      if (!feed.broadcast) continue;
      for (const handler of this.handlers) this.subscribe(handler.name, feed.name);
    }
  }

  private attach(endpoint: Endpoint): void {
    switch (endpoint.kind) {
      case "feedConsumer": {
        const feed = this.feedPlans.get(endpoint.feed)!;
        const rings = feed.type === "pipe" ? this.pipeInbound : this.feedInbound;
        rings.push(new InboundRing(new RingConsumer(endpoint.ring), feed.name, this.clock, this.eventTypes.codecs, this.delivery(feed).deliver, this.decodeFailed));
        return;
      }
      case "feedProducer": {
        const producer = new RingProducer(endpoint.ring, new AgentSignals(endpoint.consumerSignals).wake);
        const pipe = this.pipeWriters.get(endpoint.feed);
        if (pipe) pipe.addTarget(producer, endpoint.consumerAgent);
        else this.feeds.get(endpoint.feed)!.publisher.addSubscriber(producer, endpoint.consumerAgent);
        return;
      }
      case "sinkConsumer": {
        const hosted = this.sinks.get(endpoint.sink)!;
        const deliver = (value: unknown, meta: EventMeta) => {
          hosted.values.inc();
          this.sinksNeedFlush = true;
          try {
            this.sinkAccept(hosted, value, meta);
          } catch (thrown) {
            hosted.errors.inc();
            this.report("sink", endpoint.sink, "accept", thrown, meta.feed, meta.sequenceNumber, value);
          }
        };
        this.sinkInbound.push(new InboundRing(new RingConsumer(endpoint.ring), endpoint.producerAgent, this.clock, this.eventTypes.codecs, deliver, this.decodeFailed));
        return;
      }
      case "sinkProducer":
        (this.writers.get(endpoint.sink) as SinkWriter).attach(new RingProducer(endpoint.ring, new AgentSignals(endpoint.consumerSignals).wake));
        return;
    }
  }

  private drain(role: "handlers" | "sinks"): Promise<void> {
    return new Promise((resolve) => {
      this.drainWaiters.push({ role, resolve });
      this.resolveDrains();
    });
  }

  private drained(role: "handlers" | "sinks"): boolean {
    return (role === "handlers" ? this.feedInbound : this.sinkInbound).every((r) => r.consumer.isDrained());
  }

  private resolveDrains(): void {
    this.drainWaiters = this.drainWaiters.filter((waiter) => {
      if (!this.drained(waiter.role)) return true;
      if (waiter.role === "sinks") this.flushSinks();
      waiter.resolve();
      return false;
    });
  }

  /** Whether every pipe ring into this agent, and its local pipe queue, is empty right now. */
  private pipesQuiet(): boolean {
    return this.localPipeEvents.length === 0 && this.pipeInbound.every((r) => !r.consumer.hasPending());
  }

  private flushSinks(): void {
    this.sinksNeedFlush = false;
    for (const [name, hosted] of this.sinks) {
      try {
        hosted.plugin.flush?.();
      } catch (thrown) {
        hosted.errors.inc();
        this.report("sink", name, "flush", thrown);
      }
    }
  }

  private runFeed(feed: HostedFeed): number {
    try {
      return feed.plugin.doWork!();
    } catch (thrown) {
      feed.channel.abandonClaim();
      this.report("feed", feed.plan.name, "doWork", thrown);
      return 0;
    }
  }

  private readonly decodeFailed = (error: unknown, source: string, sequenceNumber: number) => {
    if (error instanceof JsonLineError) {
      // A bad line of a JSON feed, parsed here rather than on the feed's agent: a dead letter like any other.
      if (error.report) this.deadLetters.send({ reason: "parse-error", feed: source, sequenceNumber, error, event: error.raw, origin: { line: error.line, offset: error.offset } });
      return;
    }
    this.decodeErrors.inc();
    const message = `cannot decode record from ${source}: ${describeThrown(error).message}`;
    this.reporter.report({ time: this.clock.epochMillis(), source: "decode", agent: this.roleName, component: this.roleName, phase: "decode", message, sequenceNumber });
  };

  private handlerThrew(handler: HostedHandler, thrown: unknown, feed: string, sequenceNumber: number, event: unknown): void {
    handler.errors.inc();
    this.report("handler", handler.name, "onEvent", thrown, feed, sequenceNumber, event);
    this.deadLetters.send({ reason: "handler-error", feed, handler: handler.name, sequenceNumber, error: thrown, event });
  }

  private report(source: ErrorSource, component: string, phase: string, thrown: unknown, feed?: string, sequenceNumber?: number, event?: unknown): void {
    const { message, stack } = describeThrown(thrown);
    this.reporter.report({
      time: this.clock.epochMillis(),
      source,
      agent: this.roleName,
      component,
      phase,
      message,
      stack,
      feed,
      sequenceNumber,
      event: event === undefined ? undefined : summarizeEvent(event),
    });
  }
}
