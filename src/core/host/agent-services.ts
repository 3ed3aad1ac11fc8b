/**
 * The services of one agent: the instances hosted here (in start order), where every other service of
 * the server lives, and the answer to `ctx.service(name)`: the instance when it is here, otherwise an
 * error saying where it runs and how to reach it, or which services exist.
 *
 * @module
 */
import type { ServiceLocation } from "../../plan/types.ts";
import type { HostedService } from "./hosted-service.ts";

/**
 * @example
 * ```ts
 * const services = new AgentServices("processor", boot.services);
 * services.add(hostedRates);
 * services.instance(`handler "pnl"`, "rates"); // the RateTable instance
 * ```
 */
export class AgentServices {
  private readonly hosted: HostedService[] = [];
  private readonly locations: Map<string, ServiceLocation>;

  constructor(private readonly agent: string, locations: readonly ServiceLocation[]) {
    this.locations = new Map(locations.map((location) => [location.name, location]));
  }

  /** The instances on this agent, in start order. */
  get all(): readonly HostedService[] {
    return this.hosted;
  }

  get(name: string): HostedService | undefined {
    return this.hosted.find((service) => service.name === name);
  }

  add(service: HostedService): void {
    this.hosted.push(service);
  }

  /** Drops the instance called `name` from this agent (it has been stopped and torn down). */
  remove(name: string): void {
    const index = this.hosted.findIndex((service) => service.name === name);
    if (index >= 0) this.hosted.splice(index, 1);
  }

  /** Records where a service lives (added at runtime). */
  locate(location: ServiceLocation): void {
    this.locations.set(location.name, location);
  }

  /** Forgets a service removed at runtime; false if it was not known. */
  forget(name: string): boolean {
    return this.locations.delete(name);
  }

  /** What `ctx.service(name)` returns to `caller` (e.g. `handler "pnl"`). */
  instance(caller: string, name: string): unknown {
    const here = this.get(name);
    if (here) return here.instance;
    const location = this.locations.get(name);
    const who = `${caller} on agent "${this.agent}"`;
    if (!location) {
      throw new Error(`${who} asked for service "${name}": no such service (services: ${[...this.locations.keys()].join(", ") || "none"})`);
    }
    if (location.agentName === undefined) {
      throw new Error(`${who} asked for service "${name}": it is an agent-local service, with an instance only on agents that host handlers`);
    }
    const reach = location.publishes.length > 0 ? `subscribe to the feeds it publishes (${location.publishes.join(", ")})` : "send to it through a pipe it subscribes to";
    throw new Error(`${who} asked for service "${name}": it is a worker service on agent "${location.agentName}", and agents share no objects; ${reach}`);
  }

  /** Runs every started service's `doWork`; returns the work done. */
  runDutyCycles(): number {
    const hosted = this.hosted;
    let work = 0;
    for (let i = 0; i < hosted.length; i++) work += hosted[i].runDutyCycle();
    return work;
  }

  millisToNextDeadline(): number {
    let soonest = Infinity;
    for (const service of this.hosted) soonest = Math.min(soonest, service.millisToNextDeadline());
    return soonest;
  }
}
