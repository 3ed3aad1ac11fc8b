/**
 * The types a service author programs against. Like a handler file, a service file needs only type
 * imports from here (`import type { Service, ServiceContext } from "mongoose-server"`).
 *
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { Logger } from "../log/log.ts";
import type { EventMeta, Sink } from "./handler-api.ts";

/** What a service gets in `init(ctx)` and `start(ctx)`. Keep it; it stays valid for the service's life. */
export interface ServiceContext {
  /** This service's name (its `services[].name`). */
  readonly serviceName: string;
  /** The agent (thread) this instance runs on. */
  readonly agentName: string;
  /** The service's `configMap`, delivered before `init`. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Server clock: read time here rather than from `Date.now()`. */
  readonly clock: Clock;
  /** Logger with this service's agent and name attached. */
  readonly log: Logger;
  /** The sink or pipe called `name`; throws if there is none. */
  sink<T = unknown>(name: string): Sink<T>;
  /**
   * Receive a feed's or pipe's events in `onEvent` (services get no broadcast feeds unasked). Idempotent.
   *
   * @example
   * ```ts
   * start(ctx: ServiceContext) { ctx.subscribe("orders.in"); }
   * ```
   */
  subscribe(feedName: string): void;
  /**
   * Publishes `value` on `feedName`, one of the feeds this service declares in `publishes` (a worker
   * service's, hosted on its agent); subscribers receive it like any feed's event. Returns false once the
   * server is stopping (the feed is closed): keep the value, nothing was sent. Throws for a feed the
   * service does not publish.
   *
   * @example
   * ```ts
   * doWork() { return this.ctx.publish("quotes", { sym: "AAPL", px: 101.5 }) ? 1 : 0; }
   * ```
   */
  publish(feedName: string, value: unknown): boolean;
  /** Another service instance on this agent (see `HandlerContext.service`). */
  service<T = unknown>(name: string): T;
}

/**
 * A service: a shared object handlers use (`ctx.service(name)`), or, given an `agentName`, a worker with a
 * duty cycle of its own that can publish feeds and receive from feeds and pipes. Every method is optional.
 *
 * Lifecycle on its agent: `init(ctx)` → `start(ctx)` → `startComplete()`, each before the agent's handlers'
 * step of the same name; then `doWork()` on every duty cycle and `onEvent` for what it subscribed to; then
 * `stop()` and `tearDown()` after the handlers'. Lifecycle methods may be async.
 *
 * @example
 * ```ts
 * export default class Quotes implements Service {
 *   private ctx!: ServiceContext;
 *   private n = 0;
 *   init(ctx: ServiceContext) { this.ctx = ctx; }
 *   doWork() { return this.n < 10 && this.ctx.publish("quotes", this.n) ? (this.n++, 1) : 0; }
 * }
 * ```
 */
export interface Service {
  init?(ctx: ServiceContext): void | Promise<void>;
  start?(ctx: ServiceContext): void | Promise<void>;
  startComplete?(): void | Promise<void>;
  /** One bounded step of work on the agent's duty cycle; returns how much was done (0 = idle). */
  doWork?(): number;
  /** Milliseconds until `doWork` has timed work, or Infinity; the agent wakes no later. */
  millisToNextDeadline?(): number;
  /** An event of a feed or pipe it subscribed to. */
  onEvent?(event: unknown, meta: EventMeta): void;
  stop?(): void | Promise<void>;
  tearDown?(): void | Promise<void>;
}
