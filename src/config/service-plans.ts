/**
 * The `services` section: the checks that need the rest of the configuration (names, agents, published
 * feeds), the plan of each service, and the feeds worker services publish.
 *
 * @module
 */
import type { FeedPlan, ServicePlan } from "../plan/types.ts";
import { moduleSource } from "./module-source.ts";
import type { ConfigProblem } from "./problems.ts";
import type { EffectiveConfig } from "./schema.ts";

type ServiceEntry = EffectiveConfig["services"][number];

/**
 * Problems of the `services` entries: duplicate names, a name shared with a handler (both subscribe under
 * their name on an agent), and worker-only keys on an agent-local service.
 *
 * @example
 * ```ts
 * const problems = serviceProblems(effective.services, new Set(["pnl"])); // [{ path: ["services", 1, "name"], message: "duplicate service name \"rates\"" }]
 * ```
 */
export function serviceProblems(services: readonly ServiceEntry[], handlerNames: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  services.forEach((service, index) => {
    const at = (key: string) => ["services", index, key];
    if (services.findIndex((s) => s.name === service.name) !== index) problems.push({ path: at("name"), message: `duplicate service name "${service.name}"` });
    if (handlerNames.has(service.name)) problems.push({ path: at("name"), message: `"${service.name}" is also the name of a handler; services and handlers need distinct names` });
    if (service.agentName !== undefined) return;
    const local = "an agent-local service (no agentName) runs on its handlers' agents";
    if (service.publishes.length > 0) problems.push({ path: at("publishes"), message: `${local}; only a worker service (with agentName) publishes feeds` });
    if (service.idleStrategy !== undefined) problems.push({ path: at("idleStrategy"), message: `${local}; idleStrategy needs an agentName` });
  });
  return problems;
}

/**
 * The plan of one validated service entry.
 *
 * @example
 * ```ts
 * servicePlan({ name: "rates", handler: "./rates.ts", configMap: {}, publishes: [] }, "/srv/app");
 * ```
 */
export function servicePlan(entry: ServiceEntry, baseDir: string): ServicePlan {
  const source = typeof entry.handler === "string" ? { kind: "module" as const, ...moduleSource(entry.handler, baseDir) } : { kind: "value" as const, value: entry.handler };
  return { name: entry.name, source, config: entry.configMap, agentName: entry.agentName, publishes: entry.publishes };
}

/**
 * The feeds worker services publish: type `service`, hosted on the service's agent, received by handlers
 * that subscribe to them by name. Ids continue from `firstId`.
 *
 * @example
 * ```ts
 * serviceFeeds([{ name: "quotes-svc", agentName: "svc", publishes: ["quotes"], … }], 3); // [{ id: 3, name: "quotes", type: "service", host: "svc", … }]
 * ```
 */
export function serviceFeeds(services: readonly ServicePlan[], firstId: number): FeedPlan[] {
  return services.flatMap((service) => service.publishes.map((name) => ({ name, host: service.agentName! }))).map(({ name, host }, index) => ({
    id: firstId + index,
    name,
    type: "service",
    broadcast: false,
    wrapWithNamedEvent: false,
    cache: { enabled: false, limit: 0 },
    host,
    settings: {},
  }));
}
