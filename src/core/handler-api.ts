/**
 * The types a handler author programs against. A handler file needs only type imports from here
 * (`import type { HandlerContext } from "mongoose-server"`), so the compiled binary can load it without
 * `node_modules`.
 *
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { FixedEvent } from "../transport/fixed-layout.ts";
import type { Logger } from "../log/log.ts";
import type { JsonValue } from "./commands/json-value.ts";

/**
 * Where an event came from. The engine reuses one meta object per feed and agent: read it during
 * `onEvent`, copy the fields you want to keep.
 */
export interface EventMeta {
  /** Name of the feed that published the event. */
  readonly feed: string;
  /** Per-feed sequence number: 1 for the first event a feed publishes, then +1 per event. */
  readonly sequenceNumber: number;
  /** Publish time as wall-clock epoch milliseconds. */
  readonly publishedAt: number;
  /** Publish time on the server clock (nanoseconds); subtract from `ctx.clock.nanos()` for latency. */
  readonly publishedNanos: number;
  /**
   * The W3C `traceparent` the event came in with (a NATS message's header), when `tracing:` is configured
   * and it had one; values the handler sends to sinks while handling the event carry it on.
   */
  readonly traceparent?: string;
}

/** Where a handler sends values. `accept` copies the value, so the caller may reuse it afterwards. */
export interface Sink<T = unknown> {
  readonly name: string;
  accept(value: T): void;
}

/**
 * An admin command a handler implements: takes the caller's JSON arguments (a list of strings from
 * CLI-style callers, an object from HTTP ones, `undefined` for none) and returns a JSON value or a promise
 * of one (`undefined` answers `null`). A throw or rejection fails the invocation with its message.
 */
export type AdminCommand = (args: JsonValue | undefined) => JsonValue | undefined | void | Promise<JsonValue | undefined | void>;

/** How `help` and `commands` describe an admin command. */
export interface AdminCommandOptions {
  /** One line: what it does (default: "command of handler agent/handler"). */
  description?: string;
  /** Its arguments, e.g. `"pnl.reset [book]"` (default: the name). */
  usage?: string;
}

/** What a handler gets in `init(ctx)` and `start(ctx)`. Keep it; it stays valid for the handler's life. */
export interface HandlerContext {
  /** This handler's name (the key under `eventHandlers`). */
  readonly handlerName: string;
  /** The agent (thread) this handler runs on. */
  readonly agentName: string;
  /** The handler's `configMap`, delivered before the first event. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Server clock: read time here rather than from `Date.now()`. */
  readonly clock: Clock;
  /** Logger with this handler's agent and name attached. */
  readonly log: Logger;
  /**
   * A float in [0, 1), like `Math.random()`, from a generator seeded once per handler start. Draw random
   * numbers here rather than from `Math.random()`: the seed is journaled (`journal:`), so a replay draws the
   * same numbers.
   *
   * @example
   * ```ts
   * if (ctx.random() < 0.01) ctx.log.info("sampled", { event }); // 1% of events
   * ```
   */
  random(): number;
  /** Receive events from a named feed (needed for feeds without `broadcast: true`). Idempotent. */
  subscribe(feedName: string): void;
  /** The sink called `name`; throws if no such sink is configured. */
  sink<T = unknown>(name: string): Sink<T>;
  /**
   * A new event of the fixed-layout type `typeName` (declared in `eventTypes`), with a buffer of its own:
   * set its fields and `accept` it on a sink or pipe, then reuse it for the next one (the sink copies
   * its bytes), so sending allocates nothing. Throws if no such type is declared.
   *
   * @example
   * ```ts
   * const quote = ctx.newEvent("Quote") as unknown as { px: number; sym: string };
   * quote.px = 101.5; quote.sym = "AAPL";
   * ctx.sink("quotes").accept(quote);
   * ```
   */
  newEvent(typeName: string): FixedEvent;

  // ---- admin commands ----
  /**
   * Registers the admin command `name`, implemented by `fn` (in `init`, `start` or later). It runs on this
   * handler's agent between events, never concurrently with `onEvent`; callers reach it with
   * `server.command(name, args)` (later over HTTP and `mongoose admin`) and get its result or a timeout
   * error. It goes away when the handler stops. Throws if a built-in or another handler of this agent owns
   * `name`; a clash with a handler on another agent is refused by the server and reported as an error.
   *
   * @example
   * ```ts
   * start(ctx: HandlerContext) {
   *   ctx.registerCommand("pnl.reset", (args) => { this.total = 0; return { reset: true, args: args ?? null }; }, { description: "zeroes the running P&L" });
   * }
   * ```
   */
  registerCommand(name: string, fn: AdminCommand, options?: AdminCommandOptions): void;

  // ---- configuration, scheduler and re-entrant events ----

  /**
   * `config[key]`, which must be present (not `undefined` or `null`). Call it in `init` or `start`: a
   * missing key fails the boot with a message naming the handler and the key, before any event is
   * delivered. A live update that removes a required key is rejected.
   *
   * @example
   * ```ts
   * init(ctx: HandlerContext) { this.currency = ctx.require("currency") as string; }
   * ```
   */
  require(key: string): unknown;
  /**
   * {@link HandlerContext.require} for a string: also fails if the value is not one, and later updates
   * must keep it a string.
   *
   * @example
   * ```ts
   * const currency = ctx.requireString("currency"); // "USD"
   * ```
   */
  requireString(key: string): string;
  /**
   * {@link HandlerContext.require} for a finite number; later updates must keep it one.
   *
   * @example
   * ```ts
   * const limit = ctx.requireNumber("limit"); // 1000
   * ```
   */
  requireNumber(key: string): number;
  /**
   * {@link HandlerContext.require} for a boolean; later updates must keep it one.
   *
   * @example
   * ```ts
   * if (ctx.requireBoolean("verbose")) ctx.log.info("verbose");
   * ```
   */
  requireBoolean(key: string): boolean;
  /**
   * Timers on this handler's agent, read on `ctx.clock`. Callbacks run on the agent's duty cycle, never
   * concurrently with this agent's events, from the end of `start` until the handlers stop.
   *
   * @example
   * ```ts
   * const id = ctx.scheduler.every(1_000, () => this.out.accept(this.snapshot()));
   * ctx.scheduler.cancel(id);
   * ```
   */
  readonly scheduler: Scheduler;
  /**
   * Delivers `event` to this handler (only) as a new event cycle after the current one, with
   * `meta.feed === "@reentrant"` and `meta.sequenceNumber` counting this handler's emits from 1.
   *
   * @example
   * ```ts
   * onEvent(order: Order, meta: EventMeta) {
   *   if (meta.feed !== "@reentrant") this.ctx.emit({ ...order, retry: true }); // handled again, after this event
   * }
   * ```
   */
  emit(event: unknown): void;

  // ---- services ----
  /**
   * The service called `name`, synchronously, from `init` on. An agent-local service (no `agentName`)
   * has one instance per agent, shared by every handler there; a worker service is returned only on its
   * own agent. Throws for a worker service on another agent (threads share no objects: the message names
   * its agent and the feeds it publishes, which is how to hear from it) and for an unknown name (the
   * message lists the known ones).
   *
   * @example
   * ```ts
   * init(ctx: HandlerContext) { this.rates = ctx.service<RateTable>("rates"); }
   * ```
   */
  service<T = unknown>(name: string): T;
}

/**
 * Timers of one handler (`ctx.scheduler`). Every method returns or takes a timer id; ids are never reused
 * while their timer is live.
 *
 * @example
 * ```ts
 * const once = ctx.scheduler.after(500, () => ctx.log.info("half a second later"));
 * const daily = ctx.scheduler.at(Date.parse("2030-01-01T00:00:00Z"), () => rollOver());
 * const tick = ctx.scheduler.every(100, () => { if (done()) ctx.scheduler.cancel(tick); });
 * ```
 */
export interface Scheduler {
  /** Runs `fn` once, `ms` milliseconds from now. */
  after(ms: number, fn: () => unknown): number;
  /** Runs `fn` once at wall-clock time `epochMs` (ms since 1970, as `ctx.clock.epochMillis()`); at once if past. */
  at(epochMs: number, fn: () => unknown): number;
  /** Runs `fn` every `ms` milliseconds (fixed rate; runs missed during a stall are skipped, not bunched). */
  every(ms: number, fn: () => unknown): number;
  /** Cancels a timer (also from inside its own callback); false if it already fired or was cancelled. */
  cancel(id: number): boolean;
}

/**
 * A handler: business logic that runs on exactly one agent. Only `onEvent` is required.
 *
 * Lifecycle, each called on the handler's own agent thread: `init(ctx)` → `start(ctx)` (subscribe here) →
 * `startComplete()` → `onEvent(...)`… → `stop()` (after every event published before the server stopped
 * was delivered; values sent to sinks here are still written) → `tearDown()`. Lifecycle methods may be
 * async (the server waits for them); `onEvent` is synchronous: if it returns a promise, a rejection is
 * reported like a throw, but the next event does not wait for it.
 *
 * @example
 * ```ts
 * export default class Echo implements Handler {
 *   private out!: Sink<unknown>;
 *   start(ctx: HandlerContext) { ctx.subscribe("prices"); this.out = ctx.sink("echoes"); }
 *   onEvent(event: unknown) { this.out.accept(event); }
 * }
 * ```
 */
export interface Handler {
  init?(ctx: HandlerContext): void | Promise<void>;
  start?(ctx: HandlerContext): void | Promise<void>;
  startComplete?(): void | Promise<void>;
  onEvent(event: unknown, meta: EventMeta): void;
  stop?(): void | Promise<void>;
  tearDown?(): void | Promise<void>;
  /**
   * Called on this handler's agent, between events, when its `configMap` changed (a live update or a
   * reload of the YAML file); `ctx.config` already holds `config`. Throwing rejects the update: the old
   * config stays.
   *
   * @example
   * ```ts
   * onConfigChange(config: Readonly<Record<string, unknown>>) { this.threshold = config.threshold as number; }
   * ```
   */
  onConfigChange?(config: Readonly<Record<string, unknown>>): void;
  /**
   * A service was added at runtime (`server.addService`) with an instance on this handler's agent; called
   * there, after the service started. `service` is the instance `ctx.service(name)` now returns.
   *
   * @example
   * ```ts
   * onServiceRegistered(name: string, service: unknown) { if (name === "rates") this.rates = service as RateTable; }
   * ```
   */
  onServiceRegistered?(name: string, service: unknown): void;
  /**
   * A service with an instance on this agent is being removed at runtime (`server.removeService`); called
   * before the service stops, so the handler can drop it.
   *
   * @example
   * ```ts
   * onServiceDeregistered(name: string) { if (name === "rates") this.rates = undefined; }
   * ```
   */
  onServiceDeregistered?(name: string): void;
}
