/**
 * What a service sees as `ctx`: its name, agent, frozen config, clock and logger, and the calls that reach
 * its agent (sink, subscribe, publish, service).
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { Logger } from "../../log/log.ts";
import type { Sink } from "../handler-api.ts";
import type { ServiceContext } from "../service-api.ts";

/** The agent-side calls a service context needs. */
export interface ServiceHost {
  subscribe(receiverName: string, feedName: string): void;
  sinkWriter(name: string): Sink;
  publishFromService(serviceName: string, feedName: string, value: unknown): boolean;
  /** The service `name` as `caller` (e.g. `service "rates"`) may see it; throws saying why not. */
  service(caller: string, name: string): unknown;
}

/**
 * @example
 * ```ts
 * const ctx = new ServiceContextImpl("quotes", "svc-agent", { symbols: ["AAPL"] }, clock, log, host);
 * ctx.publish("quotes", { sym: "AAPL", px: 101.5 });
 * ```
 */
export class ServiceContextImpl implements ServiceContext {
  readonly config: Readonly<Record<string, unknown>>;

  constructor(
    readonly serviceName: string,
    readonly agentName: string,
    config: Record<string, unknown>,
    readonly clock: Clock,
    readonly log: Logger,
    private readonly host: ServiceHost,
  ) {
    this.config = Object.freeze({ ...config });
  }

  sink<T = unknown>(name: string): Sink<T> {
    return this.host.sinkWriter(name) as Sink<T>;
  }

  subscribe(feedName: string): void {
    this.host.subscribe(this.serviceName, feedName);
  }

  publish(feedName: string, value: unknown): boolean {
    return this.host.publishFromService(this.serviceName, feedName, value);
  }

  service<T = unknown>(name: string): T {
    return this.host.service(`service "${this.serviceName}"`, name) as T;
  }
}
