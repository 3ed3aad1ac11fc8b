/**
 * Builds what an agent hosts from its boot message: loads handler modules, mappers and plugins on this
 * thread, and creates the hosted handlers, sinks, feeds, pipe writers and sink writers with their
 * counters. A module that cannot be loaded becomes a {@link ComponentFailureError} naming the component,
 * its module and the agent.
 *
 * @module
 */
import type { Backpressure } from "../../transport/ring.ts";
import type { Logger } from "../../log/log.ts";
import { ModuleLoadError } from "../../modules/module-loader.ts";
import type { FeedPlan, HandlerPlan, ServicePlan, SinkPlan } from "../../plan/types.ts";
import type { Clock } from "../../time/clock.ts";
import type { CounterBlock } from "../counters.ts";
import { SlowConsumerWarnings } from "../slow-consumer-warnings.ts";
import { HandlerTiming } from "../latency/handler-timing.ts";
import type { LatencyBlock } from "../latency/latency-block.ts";
import type { DeadLetterBox } from "../dead-letters.ts";
import { describeThrown } from "../errors.ts";
import type { EventTypes } from "../event-types.ts";
import { createFeed } from "../feeds/create-feed.ts";
import { FeedChannel } from "../feeds/feed-channel.ts";
import { FeedPublisher } from "../feeds/feed-publisher.ts";
import { HandlerLoadError, loadHandler } from "../handler-loader.ts";
import { PipeWriter } from "../pipes/pipe-writer.ts";
import type { SinkContext } from "../plugin-api.ts";
import { loadService } from "../service-loader.ts";
import { type AgentBoot, ComponentFailureError } from "../protocol.ts";
import { createSink, type FanoutWiring } from "../sinks/create-sink.ts";
import type { FanoutTarget } from "../sinks/fanout-sink.ts";
import { SinkWriter } from "../sinks/sink-writer.ts";
import { TracedSinkWriter } from "../sinks/traced-sink-writer.ts";
import { type BoundaryTracer, createBoundaryTracer } from "../tracing/boundary-tracer.ts";
import type { TraceScope } from "../tracing/trace-scope.ts";
import { loadFeedMapper, loadSinkMapper, type Mapper } from "../value-mappers.ts";
import type { ComponentErrors } from "./component-errors.ts";
import type { FeedDeliveries } from "./feed-delivery.ts";
import { type HandlerHost, HandlerContextImpl } from "./handler-context.ts";
import { HandlerGuard } from "./handler-guard.ts";
import { HostedFeed } from "./hosted-feed.ts";
import { type HandlerFailure, HostedHandler } from "./hosted-handler.ts";
import { HostedService } from "./hosted-service.ts";
import { HostedSink, type HostedSinks } from "./hosted-sink.ts";
import type { StopProblems } from "./stop-problems.ts";
import { watchedBreaker } from "./watched-breaker.ts";
import { type ServiceHost, ServiceContextImpl } from "./service-context.ts";
import { createLogger } from "../../log/log.ts";
import { JournalWriter } from "../journal/journal-writer.ts";
import type { AgentJournals } from "./agent-journals.ts";
import { isJournaled } from "../../plan/journal-plan.ts";

/** What the factory builds with: the agent's shared parts. */
export interface FactoryParts {
  boot: AgentBoot;
  clock: Clock;
  log: Logger;
  counters: CounterBlock;
  /** The histograms of the agent's boot handlers; undefined when latency recording is off. */
  latency?: LatencyBlock;
  backpressure: Backpressure;
  /** Wakes the agent from outside its duty cycle (`FeedContext.wake`, `SinkContext.wake`). */
  wake: () => void;
  eventTypes: EventTypes;
  deadLetters: DeadLetterBox;
  errors: ComponentErrors;
  /** Where data declared lost is kept for the stop report. */
  problems: StopProblems;
  sinks: HostedSinks;
  deliveries: FeedDeliveries;
  /** The journals of this agent's journaled handlers, written out when the agent goes idle; a closed one leaves them. */
  journals: AgentJournals;
  /** The trace context of the delivery running on this agent; present only when `tracing:` is configured. */
  traceScope?: TraceScope;
}

/** What a feed or sink sees as `ctx.config`: a plugin's `config` map, or a built-in type's own keys. */
function pluginConfig(plan: FeedPlan | SinkPlan): Readonly<Record<string, unknown>> {
  return Object.freeze({ ...(plan.type === "module" ? plan.settings.config as Record<string, unknown> : plan.settings) });
}

/**
 * @example
 * ```ts
 * const factory = new ComponentFactory(parts);
 * const handlers = await factory.handlers(host, onFailure);
 * const sink = await factory.sink(sinkPlan);
 * ```
 */
export class ComponentFactory {
  private readonly agent: string;
  private readonly feedPlans: Map<string, FeedPlan>;
  private readonly pipeMappers = new Map<string, Mapper>();
  private readonly pipeSequences: BigInt64Array;
  private readonly sinkDropped;
  /** This agent's boundary tracer, made on first use (it may load the OpenTelemetry packages). */
  private tracer: Promise<BoundaryTracer> | undefined;

  constructor(private readonly parts: FactoryParts) {
    this.agent = parts.boot.plan.name;
    this.feedPlans = new Map(parts.boot.feeds.map((f) => [f.name, f]));
    this.pipeSequences = new BigInt64Array(parts.boot.pipeSequences);
    this.sinkDropped = parts.counters.counter("agent_sink_dropped_total");
  }

  /** Loads and instantiates every handler of the agent, in plan order. */
  async handlers(host: HandlerHost, failed: HandlerFailure): Promise<HostedHandler[]> {
    const hosted: HostedHandler[] = [];
    for (const plan of this.parts.boot.plan.handlers) hosted.push(await this.handler(plan, host, failed));
    return hosted;
  }

  /** Loads and instantiates one handler; its counters and latency histograms live in `counters` and `latency` (blocks of their own when it is registered at runtime). */
  async handler(plan: HandlerPlan, host: HandlerHost, failed: HandlerFailure, counters: CounterBlock = this.parts.counters, latency: LatencyBlock | undefined = this.parts.latency): Promise<HostedHandler> {
    const { boot, clock, log } = this.parts;
    const instance = await loadHandler(plan).catch((error) => {
      if (!(error instanceof HandlerLoadError)) throw error;
      throw new ComponentFailureError({ component: `handler "${error.handler}" (${error.where}) on agent "${this.agent}"`, phase: "load", message: error.reason });
    });
    const handlerLog = plan.logLevel ? createLogger({ ...boot.log, level: plan.logLevel }, { agent: this.agent, handler: plan.name }) : log.child({ handler: plan.name });
    const journal = this.journal(plan.name, handlerLog);
    const context = new HandlerContextImpl(plan.name, this.agent, plan.config, journal?.clock ?? clock, handlerLog, host, journal);
    const labels = { handler: plan.name };
    // A latency block exists only while recording is on, and then every boot carries the settings.
    const timing = latency && HandlerTiming.of(latency, plan.name, boot.latency!.sampleEvery, clock);
    const hosted = new HostedHandler(plan.name, instance, context, counters.counter("handler_events_total", labels), counters.counter("handler_errors_total", labels), failed, timing,
      plan.source.kind === "module" ? plan.source.display : undefined, journal);
    hosted.pausedDrops = counters.counter("handler_paused_dropped_total", labels);
    if (plan.retry || plan.circuitBreaker) hosted.guard = this.guard(hosted, plan, counters, handlerLog);
    return hosted;
  }

  /** The journal of `handler` if the server journals it (`journal:`), listed for the agent's idle writes. */
  private journal(handler: string, log: Logger): JournalWriter | undefined {
    const { boot, clock } = this.parts;
    const plan = boot.journal;
    if (plan === undefined || !isJournaled(plan, handler)) return undefined;
    const journals = this.parts.journals;
    const writer: JournalWriter = new JournalWriter({ ...plan, handler, epochOriginMs: boot.epochOriginMs, clock, log, onClose: () => journals.remove(writer) });
    journals.add(writer);
    return writer;
  }

  /** The handler's `retry` and `circuitBreaker`, counted in `counters`. */
  private guard(handler: HostedHandler, plan: HandlerPlan, counters: CounterBlock, log: Logger): HandlerGuard {
    const { clock, errors, deadLetters, deliveries } = this.parts;
    const labels = { handler: plan.name };
    const policy = plan.circuitBreaker;
    const breaker = policy && {
      policy,
      breaker: watchedBreaker(policy, () => clock.epochMillis(), counters.counter("handler_circuit_state", labels), log, `handler "${plan.name}"`),
    };
    return new HandlerGuard(handler, {
      retry: plan.retry,
      breaker,
      counters: {
        retries: counters.counter("handler_retries_total", labels),
        retrySuccesses: counters.counter("handler_retry_successes_total", labels),
        retriesExhausted: counters.counter("handler_retries_exhausted_total", labels),
        circuitRejected: counters.counter("handler_circuit_rejected_total", labels),
      },
      clock,
      errors,
      deadLetters,
      deliveries,
      scheduler: () => handler.context.agentScheduler,
    });
  }

  /** Loads and instantiates one service instance for this agent. */
  async service(plan: ServicePlan, host: ServiceHost): Promise<HostedService> {
    return await this.loading("service", plan.name, async () => {
      const instance = await loadService(plan);
      const context = new ServiceContextImpl(plan.name, this.agent, plan.config, this.parts.clock, this.parts.log.child({ service: plan.name }), host);
      return new HostedService(plan, instance, context, this.parts.errors);
    });
  }

  /** Loads the value mappers of every pipe (any agent may write to any pipe). */
  async loadPipeMappers(): Promise<void> {
    for (const pipe of this.parts.boot.feeds.filter((f) => f.type === "pipe" && f.mapper)) {
      const mapper = await loadFeedMapper(pipe.mapper).catch((error) => {
        if (!(error instanceof ModuleLoadError)) throw error;
        throw new ComponentFailureError({ component: `pipe "${pipe.name}" value mapper (${error.where}) on agent "${this.agent}"`, phase: "load", message: error.reason });
      });
      this.pipeMappers.set(pipe.name, mapper!);
    }
  }

  async sink(plan: SinkPlan): Promise<HostedSink> {
    return await this.loading("sink", plan.name, async () => {
      const { clock, log, counters, errors, problems } = this.parts;
      const plugin = await createSink(plan, () => this.fanoutWiring(plan), counters, this.tracerIfOn());
      const lostValues = counters.counter("sink_lost_total", { sink: plan.name });
      const context: SinkContext = {
        sinkName: plan.name,
        agentName: this.agent,
        config: pluginConfig(plan),
        clock,
        log: log.child({ sink: plan.name }),
        lost: (count, cause) => {
          lostValues.add(count);
          problems.lost("sink", plan.name, count, cause);
          errors.report("sink", plan.name, "write", `lost ${count} values: ${describeThrown(cause).message}`);
        },
        wake: this.parts.wake,
      };
      return new HostedSink(plan, plugin, await loadSinkMapper(plan.mapper), context, counters);
    });
  }

  /** Builds a hosted feed; its counters live in `counters` (a block of its own when it is registered at runtime). */
  async feed(plan: FeedPlan, counters: CounterBlock = this.parts.counters): Promise<HostedFeed> {
    return await this.loading("feed", plan.name, async () => {
      const { clock, log, backpressure, eventTypes, deadLetters, errors, boot } = this.parts;
      const labels = { feed: plan.name };
      const publisher = new FeedPublisher(plan.name, clock, backpressure, {
        published: counters.counter("feed_published_total", labels),
        unrouted: counters.counter("feed_unrouted_total", labels),
        dropped: counters.counter("feed_dropped_total", labels),
      }, new SlowConsumerWarnings(log.child(labels), `feed "${plan.name}"`));
      const feedLog = log.child(labels);
      const channel = new FeedChannel(plan.name, this.agent, pluginConfig(plan), clock, feedLog, {
        publisher,
        mapper: await loadFeedMapper(plan.mapper),
        cache: plan.cache,
        deadLetters,
        mapperDropped: counters.counter("feed_mapper_dropped_total", labels),
        onEncodingError: plan.type === "memory" ? "throw" : "dead-letter",
        eventType: plan.eventType === undefined ? undefined : eventTypes.get(plan.eventType),
        wake: this.parts.wake,
        tracing: boot.tracing !== undefined,
      });
      // Only a feed this agent was booted with can have a predecessor that died with the agent.
      const replacesDeadInstance = (boot.restart ?? 0) > 0 && boot.plan.hostedFeeds.includes(plan.name);
      const plugin = await createFeed(plan, channel, publisher, { server: boot.serverId, replacesDeadInstance }, counters, this.tracerIfOn());
      return new HostedFeed(plan, plugin, channel, publisher, feedLog, errors);
    });
  }

  /** The writer a handler on this agent uses for the sink `plan` (its rings are attached later). */
  sinkWriter(plan: SinkPlan): SinkWriter {
    const { clock, backpressure, traceScope } = this.parts;
    const dropped = () => this.sinkDropped.inc();
    return traceScope ? new TracedSinkWriter(plan.name, clock, backpressure, dropped, traceScope) : new SinkWriter(plan.name, clock, backpressure, dropped);
  }

  /** With `tracing:` configured, how NATS feeds and sinks get this agent's one tracer; else undefined. */
  private tracerIfOn(): (() => Promise<BoundaryTracer>) | undefined {
    const plan = this.parts.boot.tracing;
    if (plan === undefined) return undefined;
    return () => this.tracer ??= createBoundaryTracer(plan, this.parts.counters.counter("tracing_export_failures_total"), this.parts.log);
  }

  /** The writer for the pipe whose sink half is `plan`; `held` while its pipe caches events before the start completes. */
  pipeWriter(plan: SinkPlan, held: boolean): PipeWriter {
    const { clock, backpressure, counters, eventTypes, deadLetters, deliveries, boot } = this.parts;
    const pipe = this.feedPlans.get(plan.pipe!)!;
    const index = boot.feeds.filter((f) => f.type === "pipe").findIndex((f) => f.name === pipe.name);
    const labels = { pipe: pipe.name };
    const writer = new PipeWriter(plan.name, pipe.name, clock, backpressure, {
      mapper: this.pipeMappers.get(pipe.name),
      eventType: pipe.eventType === undefined ? undefined : eventTypes.get(pipe.eventType),
      deadLetters,
      mapperDropped: counters.counter("pipe_mapper_dropped_total", labels),
      unrouted: counters.counter("pipe_unrouted_total", labels),
      dropped: () => this.sinkDropped.inc(),
      nextSequence: () => Number(Atomics.add(this.pipeSequences, index, 1n)) + 1,
      fullRings: new SlowConsumerWarnings(this.parts.log.child(labels), `pipe "${pipe.name}"`),
      local: () => {
        const delivery = deliveries.receiving(pipe.name);
        return delivery && ((value, sequence, publishedNanos, traceparent) => deliveries.queueLocal(delivery, value, sequence, publishedNanos, traceparent));
      },
      traceScope: this.parts.traceScope,
    });
    if (pipe.cache.enabled && held) writer.hold();
    return writer;
  }

  /** Runs a loading step, turning a module problem into a failure that names the component. */
  private async loading<T>(kind: "feed" | "sink" | "service", name: string, load: () => Promise<T>): Promise<T> {
    try {
      return await load();
    } catch (error) {
      if (!(error instanceof ModuleLoadError)) throw error;
      throw new ComponentFailureError({ component: `${kind} "${name}" (${error.where}) on agent "${this.agent}"`, phase: "load", message: error.reason });
    }
  }

  private fanoutWiring(plan: SinkPlan): FanoutWiring {
    const { counters, sinks, errors } = this.parts;
    const targets = (plan.settings.targets as string[]).map((name): FanoutTarget => {
      const labels = { sink: plan.name, target: name };
      return {
        name,
        deliver: (value, meta) => sinks.deliverFromFanout(name, value, meta),
        delivered: counters.counter("fanout_delivered_total", labels),
        failures: counters.counter("fanout_failures_total", labels),
        skipped: counters.counter("fanout_skipped_total", labels),
        circuitOpen: counters.counter("fanout_circuit_open", labels),
      };
    });
    const report: FanoutWiring["report"] = (target, error, meta, value) => {
      sinks.get(target)?.errors.inc();
      errors.report("sink", target, `accept (via fan-out "${plan.name}")`, error, { feed: meta.feed, sequenceNumber: meta.sequenceNumber, event: value });
    };
    return { targets, report };
  }
}
