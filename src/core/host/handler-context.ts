/**
 * What a handler sees as `ctx`: its name, agent, frozen config, clock and logger, and the calls that reach
 * its agent (subscribe, sink, newEvent, service).
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { FixedEvent } from "../../transport/fixed-layout.ts";
import type { Logger } from "../../log/log.ts";
import type { EventTypes } from "../event-types.ts";
import type { HandlerContext, Sink } from "../handler-api.ts";

/** The agent-side calls a handler context needs. */
export interface HandlerHost {
  subscribe(handlerName: string, feedName: string): void;
  sinkWriter(name: string): Sink;
  /** The service `name` as `caller` (e.g. `handler "pnl"`) may see it; throws saying why not. */
  service(caller: string, name: string): unknown;
  readonly eventTypes: EventTypes;
}

/**
 * @example
 * ```ts
 * const ctx = new HandlerContextImpl("pnl", "processor", { currency: "USD" }, clock, log, host);
 * ctx.subscribe("trades");
 * ctx.sink("out").accept(1);
 * ```
 */
export class HandlerContextImpl implements HandlerContext {
  readonly config: Readonly<Record<string, unknown>>;

  constructor(
    readonly handlerName: string,
    readonly agentName: string,
    config: Record<string, unknown>,
    readonly clock: Clock,
    readonly log: Logger,
    private readonly host: HandlerHost,
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

  service<T = unknown>(name: string): T {
    return this.host.service(`handler "${this.handlerName}"`, name) as T;
  }
}
