/**
 * What a handler sees as `ctx`: its name, agent, frozen config, clock and logger, and the calls that reach
 * its agent (subscribe, sink, newEvent, scheduler, emit, registerCommand, service), and its seeded `random`.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import { JournalClock } from "../journal/journal-clock.ts";
import type { FixedEvent } from "../../transport/fixed-layout.ts";
import type { Logger } from "../../log/log.ts";
import type { EventTypes } from "../event-types.ts";
import type { AdminCommand, AdminCommandOptions, HandlerContext, Scheduler, Sink } from "../handler-api.ts";
import { RequiredConfig } from "./required-config.ts";
import { newSeed, seededRandom } from "../seeded-random.ts";
import { JournaledScheduler } from "../journal/journaled-scheduler.ts";
import type { JournalWriter } from "../journal/journal-writer.ts";

/** The agent-side calls a handler context needs. */
export interface HandlerHost {
  subscribe(handlerName: string, feedName: string): void;
  sinkWriter(name: string): Sink;
  /** Queues `event` for `handlerName` as a new event cycle (see `ctx.emit`). */
  emit(handlerName: string, event: unknown): void;
  /** The `ctx.scheduler` of `handlerName`. */
  schedulerFor(handlerName: string): Scheduler;
  /** The service `name` as `caller` (e.g. `handler "pnl"`) may see it; throws saying why not. */
  service(caller: string, name: string): unknown;
  readonly eventTypes: EventTypes;
  registerCommand(handlerName: string, name: string, fn: AdminCommand, options?: AdminCommandOptions): void;
}

/**
 * @example
 * ```ts
 * const ctx = new HandlerContextImpl("pnl", "processor", { currency: "USD" }, clock, log, host);
 * ctx.subscribe("trades");
 * ctx.sink("out").accept(ctx.requireString("currency"));
 * ```
 */
export class HandlerContextImpl implements HandlerContext {
  /** Replaced (never mutated) by a config update, see {@link HandlerContextImpl.replaceConfig}. */
  config: Readonly<Record<string, unknown>>;
  readonly scheduler: Scheduler;
  /** The scheduler under `scheduler`: the engine's own timers for this handler (retries) take no timer ordinals. */
  readonly agentScheduler: Scheduler;
  readonly required: RequiredConfig;
  readonly random: () => number;

  /**
   * @param journal this handler's journal, if it is journaled: its timers are then numbered and recorded.
   * @param seed the seed of `random` (default: a fresh random one; a replay passes the journaled one).
   */
  constructor(
    readonly handlerName: string,
    readonly agentName: string,
    config: Record<string, unknown>,
    /** Replaced by {@link HandlerContextImpl.followClock} only. */
    public clock: Clock,
    readonly log: Logger,
    private readonly host: HandlerHost,
    journal?: JournalWriter,
    readonly seed: number = newSeed(),
  ) {
    this.config = Object.freeze({ ...config });
    this.agentScheduler = host.schedulerFor(handlerName);
    this.scheduler = journal ? new JournaledScheduler(this.agentScheduler, journal) : this.agentScheduler;
    this.required = new RequiredConfig(handlerName);
    this.random = seededRandom(seed);
  }

  /** From now on `ctx.clock` reads `clock`: the handler subscribed to a `clock: replayRecords` feed (see record-timeline.ts). */
  followClock(clock: Clock): void {
    // A journaled handler's clock stays the one its journal holds at each delivery; it reads the new source.
    if (this.clock instanceof JournalClock) this.clock.follow(clock);
    else this.clock = clock;
  }

  /** Installs a new config; returns the old one (to restore it if the update is rejected). */
  replaceConfig(config: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
    const old = this.config;
    this.config = Object.freeze({ ...config });
    return old;
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

  registerCommand(name: string, fn: AdminCommand, options?: AdminCommandOptions): void {
    this.host.registerCommand(this.handlerName, name, fn, options);
  }

  require(key: string): unknown {
    return this.required.read(this.config, key, "any");
  }

  requireString(key: string): string {
    return this.required.read(this.config, key, "string") as string;
  }

  requireNumber(key: string): number {
    return this.required.read(this.config, key, "number") as number;
  }

  requireBoolean(key: string): boolean {
    return this.required.read(this.config, key, "boolean") as boolean;
  }

  emit(event: unknown): void {
    this.host.emit(this.handlerName, event);
  }

  service<T = unknown>(name: string): T {
    return this.host.service(`handler "${this.handlerName}"`, name) as T;
  }
}
