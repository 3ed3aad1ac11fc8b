/**
 * What a handler sees as `ctx`: its name, agent, frozen config, clock and logger, and the calls that reach
 * its agent (subscribe, sink, newEvent, registerCommand).
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { FixedEvent } from "../../transport/fixed-layout.ts";
import type { Logger } from "../../log/log.ts";
import type { EventTypes } from "../event-types.ts";
import type { AdminCommand, AdminCommandOptions, HandlerContext, Sink } from "../handler-api.ts";

/** The agent-side calls a handler context needs. */
export interface HandlerHost {
  subscribe(handlerName: string, feedName: string): void;
  sinkWriter(name: string): Sink;
  readonly eventTypes: EventTypes;
  registerCommand(handlerName: string, name: string, fn: AdminCommand, options?: AdminCommandOptions): void;
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

  registerCommand(name: string, fn: AdminCommand, options?: AdminCommandOptions): void {
    this.host.registerCommand(this.handlerName, name, fn, options);
  }
}
