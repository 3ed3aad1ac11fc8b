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
}

/** Where a handler sends values. `accept` copies the value, so the caller may reuse it afterwards. */
export interface Sink<T = unknown> {
  readonly name: string;
  accept(value: T): void;
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
