/**
 * The sinks whose consuming side lives on this agent: each with its plugin, value mapper, lifecycle and
 * counters. Values reach a sink from its inbound rings or through a fan-out; sinks are flushed when the
 * agent goes idle after delivering to them, and whenever a drain completes.
 *
 * @module
 */
import type { SinkPlan } from "../../plan/types.ts";
import type { CircuitBreaker } from "../circuit-breaker.ts";
import type { Counter, CounterBlock } from "../counters.ts";
import type { DeadLetterBox } from "../dead-letters.ts";
import type { EventMeta } from "../handler-api.ts";
import type { SinkContext, SinkPlugin } from "../plugin-api.ts";
import type { Mapper } from "../value-mappers.ts";
import { ComponentLifecycle } from "./component-lifecycle.ts";
import type { ComponentErrors } from "./component-errors.ts";
import type { RingGate } from "./inbound-ring.ts";
import { watchedBreaker } from "./watched-breaker.ts";
import type { LaterWritingSink } from "./later-writes.ts";

/**
 * One sink on its agent.
 *
 * @example
 * ```ts
 * const sink = new HostedSink(plan, plugin, mapper, context, counters);
 * await sink.lifecycle.run("init");
 * sink.accept("line", meta); // mapper, then plugin.accept; throws what the plugin throws
 * ```
 */
export class HostedSink implements LaterWritingSink {
  readonly lifecycle: ComponentLifecycle;
  readonly values: Counter;
  readonly errors: Counter;
  readonly circuitRejected: Counter;
  /** From `circuitBreaker:`; undefined without one. */
  readonly breaker?: CircuitBreaker;
  /** Values handed to the plugin's `accept` so far (what {@link LaterWrites} checkpoints against `written()`). */
  handedOver = 0;
  private readonly mapperDropped: Counter;

  constructor(readonly plan: SinkPlan, readonly plugin: SinkPlugin, private readonly mapper: Mapper | undefined, context: SinkContext, counters: CounterBlock) {
    const labels = { sink: plan.name };
    this.values = counters.counter("sink_written_total", labels);
    this.errors = counters.counter("sink_errors_total", labels);
    this.mapperDropped = counters.counter("sink_mapper_dropped_total", labels);
    this.circuitRejected = counters.counter("sink_circuit_rejected_total", labels);
    const policy = plan.circuitBreaker;
    if (policy) {
      this.breaker = watchedBreaker(policy, () => context.clock.epochMillis(), counters.counter("sink_circuit_state", labels), context.log, `sink "${plan.name}"`);
    }
    this.lifecycle = new ComponentLifecycle("sink", plan.name, (phase) => {
      if (phase === "init" || phase === "start") return plugin[phase]?.(context);
      if (phase === "stop") plugin.flush?.();
      return plugin[phase]?.();
    });
  }

  get name(): string {
    return this.plan.name;
  }

  /** True when the plugin's writes complete after `accept` returns (it reports `written()`). */
  get writesLater(): boolean {
    return this.plugin.written !== undefined;
  }

  /** Values the plugin reports written (see `SinkPlugin.written`); only for a sink that {@link writesLater}. */
  written(): number {
    return this.plugin.written!();
  }

  /** Hands a value to the plugin through the sink's mapper (a null/undefined result drops it, counted). */
  accept(value: unknown, meta: EventMeta): void {
    let mapped = value;
    if (this.mapper) {
      mapped = this.mapper(value);
      if (mapped === null || mapped === undefined) {
        this.mapperDropped.inc();
        return;
      }
    }
    this.handedOver++;
    this.plugin.accept(mapped, meta);
  }
}

/**
 * Every sink hosted on one agent, in the order they start.
 *
 * A sink with a `circuitBreaker` is not called while its circuit is open: with `whenOpen: deadLetter`
 * the values arriving meanwhile become dead letters (reason `circuit-open`); with `whenOpen: hold` its
 * rings are not consumed (their producers meet a full ring), and each poll takes no more values than it
 * takes failures to open the circuit, so no value is taken that could not be handed over.
 *
 * @example
 * ```ts
 * const sinks = new HostedSinks(errors);
 * sinks.add(hostedSink);
 * sinks.deliverTo("out")(value, meta); // counted; a throw is reported, not rethrown
 * sinks.flushIfTouched();
 * ```
 */
export class HostedSinks {
  private readonly byName = new Map<string, HostedSink>();
  /** A value reached a sink since the last flush. */
  private touched = false;
  private flushedAt = 0;
  /** Sinks whose open circuit holds values back in their rings (a list: read whenever the agent parks). */
  private readonly holding: HostedSink[] = [];

  /** @param flushed runs after every flush of all sinks (their values are written then) */
  constructor(private readonly errors: ComponentErrors, private readonly deadLetters: DeadLetterBox, private readonly flushed: () => void = () => {}) {}

  add(sink: HostedSink): void {
    this.byName.set(sink.name, sink);
    if (sink.breaker && sink.plan.circuitBreaker!.whenOpen === "hold") this.holding.push(sink);
  }

  get(name: string): HostedSink | undefined {
    return this.byName.get(name);
  }

  get all(): HostedSink[] {
    return [...this.byName.values()];
  }

  /** Delivery into the sink called `name` from a ring: counted, and a failure reported (the next value still comes). */
  deliverTo(name: string): (value: unknown, meta: EventMeta) => void {
    const sink = this.byName.get(name)!;
    if (sink.breaker) return this.guardedDelivery(sink, sink.breaker);
    return (value, meta) => {
      sink.values.inc();
      this.touched = true;
      try {
        sink.accept(value, meta);
      } catch (thrown) {
        sink.errors.inc();
        this.errors.report("sink", name, "accept", thrown, { feed: meta.feed, sequenceNumber: meta.sequenceNumber, event: value });
      }
    };
  }

  /**
   * The gate of the sink's rings: set when its circuit holds values back while open, or when the plugin
   * bounds what it holds (`capacity()`: a NATS sink waiting for acks).
   */
  gateOf(name: string): RingGate | undefined {
    const sink = this.byName.get(name)!;
    const plugin = sink.plugin;
    const holds = this.holding.includes(sink);
    if (!holds && !plugin.capacity) return undefined;
    const breaker = holds ? sink.breaker! : undefined;
    return {
      admit: (limit) => {
        if (breaker) limit = Math.min(limit, breaker.admissible());
        return plugin.capacity ? Math.min(limit, plugin.capacity()) : limit;
      },
    };
  }

  /** Until the earliest open circuit that holds values back may probe (parks end no later); Infinity if none. */
  millisUntilProbe(): number {
    let soonest = Infinity;
    for (let i = 0; i < this.holding.length; i++) {
      const breaker = this.holding[i].breaker!;
      if (breaker.state === "open") soonest = Math.min(soonest, breaker.millisUntilProbe());
    }
    return soonest;
  }

  /** Like {@link deliverTo}'s delivery, through the sink's circuit breaker. */
  private guardedDelivery(sink: HostedSink, breaker: CircuitBreaker): (value: unknown, meta: EventMeta) => void {
    const name = sink.name;
    return (value, meta) => {
      if (!breaker.allow()) {
        sink.circuitRejected.inc();
        this.deadLetters.send({ reason: "circuit-open", sink: name, sequenceNumber: meta.sequenceNumber, error: new Error(`sink "${name}": circuit open`), event: value });
        return;
      }
      sink.values.inc();
      this.touched = true;
      try {
        sink.accept(value, meta);
        breaker.succeeded();
      } catch (thrown) {
        breaker.failed();
        sink.errors.inc();
        this.errors.report("sink", name, "accept", thrown, { feed: meta.feed, sequenceNumber: meta.sequenceNumber, event: value });
      }
    };
  }

  /** Delivery into a fan-out's target: counted, and a throw passed on to the fan-out, which handles it. */
  deliverFromFanout(name: string, value: unknown, meta: EventMeta): void {
    const sink = this.byName.get(name)!;
    this.touched = true;
    sink.values.inc();
    sink.accept(value, meta);
  }

  /** Flushes every sink if any value reached one since the last flush (called when the agent goes idle). */
  flushIfTouched(): void {
    if (this.touched) this.flushAll();
  }

  /**
   * Flushes every sink if a value reached one and the last flush is `everyMs` old: on a busy agent (no
   * idle cycle) this bounds how long written values wait for the end-to-end commit.
   */
  flushIfDue(now: number, everyMs: number): void {
    if (this.touched && now - this.flushedAt >= everyMs) this.flushAll();
  }

  /** Flushes every sink; a failing flush is counted and reported. */
  flushAll(): void {
    this.touched = false;
    this.flushedAt = performance.now();
    for (const [name, sink] of this.byName) {
      try {
        sink.plugin.flush?.();
      } catch (thrown) {
        sink.errors.inc();
        this.errors.report("sink", name, "flush", thrown);
      }
    }
    this.flushed();
  }
}
