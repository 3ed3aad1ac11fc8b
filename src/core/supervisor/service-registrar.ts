/**
 * Services registered and removed while the server runs. Every agent learns where a new service lives;
 * the agents that host it (every agent with handlers for an agent-local service, its own agent for a
 * worker service) build and start an instance and tell their handlers (`onServiceRegistered`). Removing
 * tells handlers first (`onServiceDeregistered`), then stops and tears the instances down; removing an
 * unknown name does nothing.
 *
 * @module
 */
import { type AgentPlan, type ServerPlan, type ServiceLocation, type ServicePlan, SUPERVISOR_AGENT } from "../../plan/types.ts";
import type { Wants } from "../protocol.ts";
import type { AgentGroup } from "./agent-group.ts";

/** One service as the embedding API lists it. */
export interface ServiceInfo {
  name: string;
  /** `agent-local`: an instance on every agent with handlers; `worker`: on its own agent. */
  kind: "agent-local" | "worker";
  /** Agents holding an instance. */
  agents: string[];
  /** Feeds it publishes. */
  publishes: string[];
}

/** What registration works with: the supervisor's plan, agents and ring wiring. */
export interface RegistrarContext {
  plan: ServerPlan;
  agents: AgentGroup;
  requestTimeoutMs: number;
  /** Connects the rings the new instances asked for (subscriptions, sinks). */
  connect(wants: Map<string, Wants>): Promise<void>;
}

/**
 * Where a service lives, as agents are told (its module stays out: a class cannot cross to a worker).
 *
 * @example
 * ```ts
 * serviceLocation(plan); // { name: "quotes", agentName: "svc-agent", publishes: ["quotes"] }
 * ```
 */
export const serviceLocation = ({ name, agentName, publishes }: ServicePlan): ServiceLocation => ({ name, agentName, publishes });

/**
 * @example
 * ```ts
 * const registrar = new ServiceRegistrar({ plan, agents, requestTimeoutMs: 30_000, connect });
 * await registrar.add(ratesPlan); // { name: "rates", kind: "agent-local", agents: ["processor"], publishes: [] }
 * await registrar.remove("rates"); // true
 * ```
 */
export class ServiceRegistrar {
  constructor(private readonly context: RegistrarContext) {}

  list(): ServiceInfo[] {
    return this.context.plan.services.map((service) => this.info(service));
  }

  /** Registers and starts `service`; throws, with nothing left behind, if it cannot be placed or an instance fails to start. */
  async add(service: ServicePlan): Promise<ServiceInfo> {
    const hosts = this.placement(service);
    const { agents, plan, requestTimeoutMs } = this.context;
    const hostNames = new Set(hosts.map((host) => host.name));
    const location = serviceLocation(service);
    const [, added] = await Promise.all([
      agents.ask({ op: "addService", location }, undefined, requestTimeoutMs, agents.all().filter((agent) => !hostNames.has(agent.name))),
      agents.ask({ op: "addService", location, plan: service }, undefined, requestTimeoutMs, agents.all().filter((agent) => hostNames.has(agent.name))),
    ]);
    if (added.failures.length > 0) {
      await agents.ask({ op: "removeService", name: service.name }, undefined, requestTimeoutMs);
      throw new Error(`cannot add service "${service.name}": ${added.failures.map(({ reason }) => reason.message).join("; ")}`);
    }
    plan.services.push(service);
    for (const host of hosts) host.services.push(service);
    await this.context.connect(added.replies);
    return this.info(service);
  }

  /** Stops and removes the service called `name` everywhere; false (and nothing done) if there is none. */
  async remove(name: string): Promise<boolean> {
    const { agents, plan, requestTimeoutMs } = this.context;
    const index = plan.services.findIndex((service) => service.name === name);
    if (index < 0) return false;
    const { failures } = await agents.ask({ op: "removeService", name }, undefined, requestTimeoutMs);
    plan.services.splice(index, 1);
    for (const agent of plan.agents) agent.services = agent.services.filter((service) => service.name !== name);
    if (failures.length > 0) throw new Error(`service "${name}" was removed, but not cleanly: ${failures.map(({ agent, reason }) => `agent "${agent.name}": ${reason.message}`).join("; ")}`);
    return true;
  }

  /** The agents that get an instance; throws saying why the service cannot be added. */
  private placement(service: ServicePlan): AgentPlan[] {
    const { plan } = this.context;
    const refuse = (why: string) => new Error(`cannot add service "${service.name}": ${why}`);
    if (plan.services.some((s) => s.name === service.name)) throw refuse(`a service of that name exists (services: ${plan.services.map((s) => s.name).join(", ")})`);
    if (plan.agents.some((agent) => agent.handlers.some((h) => h.name === service.name))) throw refuse(`a handler has that name; services and handlers need distinct names`);
    if (service.publishes.length > 0) {
      throw refuse(`the feeds a service publishes come from the configuration (publishes: ${service.publishes.join(", ")}); a service added at runtime can write to pipes instead (ctx.sink)`);
    }
    const workers = plan.agents.filter((agent) => agent.name !== SUPERVISOR_AGENT);
    const hosts = service.agentName === undefined ? workers.filter((agent) => agent.handlers.length > 0) : workers.filter((agent) => agent.name === service.agentName);
    if (service.agentName !== undefined && hosts.length === 0) {
      throw refuse(`agent "${service.agentName}" is not running (agents: ${workers.map((a) => a.name).join(", ") || "none"})`);
    }
    const threaded = hosts.find((agent) => agent.mode === "worker");
    if (service.source.kind === "value" && threaded) {
      throw refuse(`agent "${threaded.name}" is a worker thread, which cannot receive an in-process class or object; give a module path`);
    }
    return hosts;
  }

  private info(service: ServicePlan): ServiceInfo {
    return {
      name: service.name,
      kind: service.agentName === undefined ? "agent-local" : "worker",
      agents: this.context.plan.agents.filter((agent) => agent.services.some((s) => s.name === service.name)).map((agent) => agent.name),
      publishes: service.publishes,
    };
  }
}
