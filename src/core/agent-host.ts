/**
 * The engine on one agent thread. It hosts the agent's components (handlers, and the feeds and sinks
 * placed on it), runs their lifecycle on this thread, connects the ring ends the supervisor hands it, and
 * is the {@link Agent} whose duty cycle polls those rings.
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
import { type Backpressure, RingConsumer, RingProducer } from "../transport/ring.ts";
import { type Counter, CounterBlock, counterLayout } from "./counters.ts";
import { describeThrown, ErrorReporter, type ErrorSource, summarizeEvent } from "./errors.ts";
import type { FeedComponent } from "./feeds/feed-component.ts";
import { FeedPublisher } from "./feeds/feed-publisher.ts";
import { MemoryFeed } from "./feeds/memory-feed.ts";
import type { EventMeta, Handler, HandlerContext, Sink } from "./handler-api.ts";
import { HandlerLoadError, loadHandler } from "./handler-loader.ts";
import { InboundRing } from "./inbound.ts";
import { ComponentLifecycle, isForwardPhase } from "./lifecycle.ts";
import { createLogger, type Logger } from "./log.ts";
import type { AgentBoot, AgentEvent, ComponentFailure, ControlRequest, Endpoint, LifecyclePhase, Role } from "./protocol.ts";
import { createSink } from "./sinks/create-sink.ts";
import type { SinkComponent } from "./sinks/sink-component.ts";
import { SinkWriter } from "./sinks/sink-writer.ts";

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

/** Fans one feed's events out to the handlers on this agent that receive it. */
class FeedDelivery {
  readonly handlers: HostedHandler[] = [];
  constructor(readonly feed: FeedPlan) {}
  add(handler: HostedHandler): void {
    if (!this.handlers.includes(handler)) this.handlers.push(handler);
  }
  readonly deliver = (value: unknown, meta: EventMeta): void => {
    const event = this.feed.wrapWithNamedEvent ? { feedName: meta.feed, sequenceNumber: meta.sequenceNumber, data: value } : value;
    const handlers = this.handlers;
    for (let i = 0; i < handlers.length; i++) handlers[i].deliver(event, meta);
  };
}

interface HostedSink {
  component: SinkComponent;
  lifecycle: ComponentLifecycle;
  values: Counter;
  errors: Counter;
}

interface HostedFeed {
  component: FeedComponent;
  lifecycle: ComponentLifecycle;
}

interface DrainWaiter {
  role: "handlers" | "sinks";
  resolve(): void;
}

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
  private readonly handlers: HostedHandler[] = [];
  private readonly sinks = new Map<string, HostedSink>();
  private readonly feeds = new Map<string, HostedFeed>();
  private readonly feedPlans: Map<string, FeedPlan>;
  private readonly sinkPlans: Map<string, SinkPlan>;
  private readonly feedDeliveries = new Map<string, FeedDelivery>();
  private readonly feedInbound: InboundRing[] = [];
  private readonly sinkInbound: InboundRing[] = [];
  private readonly writers = new Map<string, SinkWriter>();
  /** The same writers as a list: flushed every duty cycle, where iterating a Map would allocate. */
  private readonly writerList: SinkWriter[] = [];
  private readonly dutyCycles: Counter;
  private readonly idleCycles: Counter;
  private readonly decodeErrors: Counter;
  private readonly sinkDropped: Counter;
  private readonly batchSize: number;
  private drainWaiters: DrainWaiter[] = [];
  private sinksNeedFlush = false;

  private constructor(readonly boot: AgentBoot, private readonly environment: HostEnvironment) {
    const plan = boot.plan;
    this.roleName = plan.name;
    this.clock = new ServerClock(boot.epochOriginMs);
    this.signals = new AgentSignals(boot.signals);
    this.counters = new CounterBlock(boot.counters, counterLayout({
      agent: plan.name,
      handlers: plan.handlers.map((h) => h.name),
      feeds: plan.hostedFeeds,
      sinks: plan.hostedSinks,
    }));
    this.log = createLogger(boot.log, { agent: plan.name });
    this.reporter = new ErrorReporter(this.log, (report) => environment.emit({ event: "error", report }));
    this.feedPlans = new Map(boot.feeds.map((f) => [f.name, f]));
    this.sinkPlans = new Map(boot.sinks.map((s) => [s.name, s]));
    this.dutyCycles = this.counters.counter("agent_duty_cycles_total");
    this.idleCycles = this.counters.counter("agent_idle_cycles_total");
    this.decodeErrors = this.counters.counter("agent_decode_errors_total");
    this.sinkDropped = this.counters.counter("agent_sink_dropped_total");
    this.batchSize = boot.tuning.batchSize;
  }

  /** Builds the host: loads handler modules (on this thread) and creates the hosted feeds and sinks. */
  static async create(boot: AgentBoot, environment: HostEnvironment): Promise<AgentHost> {
    const host = new AgentHost(boot, environment);
    for (const plan of boot.plan.handlers) {
      const instance = await loadHandler(plan).catch((error) => {
        if (!(error instanceof HandlerLoadError)) throw error;
        throw new ComponentFailureError({ component: `handler "${error.handler}" (${error.where}) on agent "${host.roleName}"`, phase: "load", message: error.reason });
      });
      const log = plan.logLevel ? createLogger({ ...boot.log, level: plan.logLevel }, { agent: host.roleName, handler: plan.name }) : host.log.child({ handler: plan.name });
      const context = new HandlerContextImpl(plan.name, host.roleName, plan.config, host.clock, log, host);
      host.handlers.push(new HostedHandler(
        plan.name,
        instance,
        context,
        host.counters.counter("handler_events_total", { handler: plan.name }),
        host.counters.counter("handler_errors_total", { handler: plan.name }),
        (handler, thrown, feed, sequence, event) => host.handlerThrew(handler, thrown, feed, sequence, event),
      ));
    }
    for (const name of boot.plan.hostedSinks) host.hostSink(host.sinkPlans.get(name)!);
    for (const name of boot.plan.hostedFeeds) host.hostFeed(host.feedPlans.get(name)!);
    return host;
  }

  /** The memory feed called `name` hosted here (the supervisor's agent hosts them). */
  memoryFeed(name: string): MemoryFeed | undefined {
    const component = this.feeds.get(name)?.component;
    return component instanceof MemoryFeed ? component : undefined;
  }

  /** The sink component called `name` hosted here. */
  sinkComponent(name: string): SinkComponent | undefined {
    return this.sinks.get(name)?.component;
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
        return this.drain(request.role);
      case "closeOutputs":
        for (const writer of this.writers.values()) {
          const lost = writer.close();
          if (lost > 0) this.report("sink", writer.name, "stop", new Error(`${lost} values sent to sink "${writer.name}" could not be delivered`));
        }
        return undefined;
      case "calibrateClock":
        serveClockCalibration(request.buffer, this.clock, 2_000);
        return undefined;
      case "correctClock":
        this.clock.correct(request.offsetNanos);
        return undefined;
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
    for (let i = 0; i < this.sinkInbound.length; i++) work += this.sinkInbound[i].poll(batch);
    // Every cycle, not only busy ones: handlers also send from timers and promise callbacks.
    this.flushOutputs();
    if (work === 0) {
      this.idleCycles.inc();
      if (this.sinksNeedFlush) this.flushSinks();
    }
    if (this.drainWaiters.length > 0) this.resolveDrains();
    return work;
  }

  /** True if a ring has events waiting, or a pending drain request can now be answered. */
  hasPendingInput(): boolean {
    if (this.feedInbound.some((r) => r.consumer.hasPending()) || this.sinkInbound.some((r) => r.consumer.hasPending())) return true;
    return this.drainWaiters.some((waiter) => this.drained(waiter.role));
  }

  millisToNextDeadline(): number {
    return Infinity;
  }

  // ---- called by handler contexts ----

  /** Subscribes a handler to a feed; the first subscription of this agent asks the supervisor for a ring. */
  subscribe(handlerName: string, feedName: string): void {
    const feed = this.feedPlans.get(feedName);
    if (!feed) throw new Error(`handler "${handlerName}" cannot subscribe to "${feedName}": no such feed (feeds: ${[...this.feedPlans.keys()].join(", ") || "none"})`);
    const handler = this.handlers.find((h) => h.name === handlerName)!;
    if (handler.subscriptions.has(feedName)) return;
    handler.subscriptions.add(feedName);
    this.feedDeliveries.get(feedName)?.add(handler);
    this.environment.emit({ event: "subscribe", handler: handlerName, feed: feedName });
  }

  /** The writer for a sink; the first request of this agent asks the supervisor for a ring. */
  sinkWriter(name: string): SinkWriter {
    let writer = this.writers.get(name);
    if (writer) return writer;
    if (!this.sinkPlans.has(name)) throw new Error(`no sink named "${name}" (sinks: ${[...this.sinkPlans.keys()].join(", ") || "none"})`);
    writer = new SinkWriter(name, this.clock, this.environment.backpressure, () => this.sinkDropped.inc());
    this.writers.set(name, writer);
    this.writerList.push(writer);
    this.environment.emit({ event: "needSink", sink: name });
    return writer;
  }

  // ---- internals ----

  private hostSink(plan: SinkPlan): void {
    const component = createSink(plan);
    this.sinks.set(plan.name, {
      component,
      lifecycle: new ComponentLifecycle("sink", plan.name, (phase) => {
        if (phase === "stop") component.flush?.();
        return component[phase]?.();
      }),
      values: this.counters.counter("sink_values_total", { sink: plan.name }),
      errors: this.counters.counter("sink_errors_total", { sink: plan.name }),
    });
  }

  private hostFeed(plan: FeedPlan): void {
    const publisher = new FeedPublisher(plan.name, this.clock, this.environment.backpressure, {
      published: this.counters.counter("feed_published_total", { feed: plan.name }),
      unrouted: this.counters.counter("feed_unrouted_total", { feed: plan.name }),
      dropped: this.counters.counter("feed_dropped_total", { feed: plan.name }),
    });
    const component: FeedComponent = new MemoryFeed(plan.name, publisher);
    this.feeds.set(plan.name, {
      component,
      lifecycle: new ComponentLifecycle("feed", plan.name, async (phase) => {
        try {
          await component[phase]?.();
        } finally {
          if (phase === "stop") publisher.close();
        }
      }),
    });
  }

  private lifecycles(role: Role): ComponentLifecycle[] {
    if (role === "handlers") return this.handlers.map((h) => h.lifecycle);
    if (role === "sinks") return [...this.sinks.values()].map((s) => s.lifecycle);
    return [...this.feeds.values()].map((f) => f.lifecycle);
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
          this.countLifecycleError(component);
          const label = `${component.kind} "${component.name}" on agent "${this.roleName}"`;
          if (forward) throw new ComponentFailureError({ component: label, phase, message, stack });
          this.report(component.kind, component.name, phase, thrown);
        }
      }
    } finally {
      this.flushOutputs();
    }
    if (phase === "start" && role === "handlers") this.applyBroadcastFeeds();
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
        const delivery = new FeedDelivery(feed);
        for (const handler of this.handlers) if (handler.subscriptions.has(feed.name)) delivery.add(handler);
        this.feedDeliveries.set(feed.name, delivery);
        this.feedInbound.push(new InboundRing(new RingConsumer(endpoint.ring), feed.name, this.clock, delivery.deliver, this.decodeFailed));
        return;
      }
      case "feedProducer": {
        const producer = new RingProducer(endpoint.ring, new AgentSignals(endpoint.consumerSignals).wake);
        this.feeds.get(endpoint.feed)!.component.publisher.addSubscriber(producer, endpoint.consumerAgent);
        return;
      }
      case "sinkConsumer": {
        const hosted = this.sinks.get(endpoint.sink)!;
        const deliver = (value: unknown, meta: EventMeta) => {
          hosted.values.inc();
          this.sinksNeedFlush = true;
          try {
            hosted.component.accept(value, meta);
          } catch (thrown) {
            hosted.errors.inc();
            this.report("sink", endpoint.sink, "accept", thrown, meta.feed, meta.sequenceNumber, value);
          }
        };
        this.sinkInbound.push(new InboundRing(new RingConsumer(endpoint.ring), endpoint.producerAgent, this.clock, deliver, this.decodeFailed));
        return;
      }
      case "sinkProducer":
        this.writers.get(endpoint.sink)!.attach(new RingProducer(endpoint.ring, new AgentSignals(endpoint.consumerSignals).wake));
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

  private flushOutputs(): void {
    const writers = this.writerList;
    for (let i = 0; i < writers.length; i++) writers[i].flush();
  }

  private flushSinks(): void {
    this.sinksNeedFlush = false;
    for (const [name, hosted] of this.sinks) {
      try {
        hosted.component.flush?.();
      } catch (thrown) {
        hosted.errors.inc();
        this.report("sink", name, "flush", thrown);
      }
    }
  }

  private readonly decodeFailed = (message: string, sequenceNumber: number) => {
    this.decodeErrors.inc();
    this.reporter.report({ time: this.clock.epochMillis(), source: "decode", agent: this.roleName, component: this.roleName, phase: "decode", message, sequenceNumber });
  };

  private handlerThrew(handler: HostedHandler, thrown: unknown, feed: string, sequenceNumber: number, event: unknown): void {
    handler.errors.inc();
    this.report("handler", handler.name, "onEvent", thrown, feed, sequenceNumber, event);
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
