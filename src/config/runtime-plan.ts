/**
 * Checks a handler or feed registered at runtime against the running plan, with the schema the
 * configuration file uses, and plans it: what to load, on which agent, and the agent to start if it does
 * not exist yet. Problems read like configuration problems, located under `addHandler.` / `addFeed.`.
 *
 * @module
 */
import * as v from "valibot";
import type { IdleStrategySpec } from "../agent/idle-strategy.ts";
import type { AgentPlan, FeedAddition, HandlerAddition, HandlerPlan, ServerPlan } from "../plan/types.ts";
import { SUPERVISOR_AGENT } from "../plan/types.ts";
import { ConfigError } from "./config-error.ts";
import { feedPlanOf, issueProblem, moduleSource, toIdleSpec } from "./plan.ts";
import { type ConfigPath, type ConfigProblem, formatProblems } from "./problems.ts";
import { agentName, feedEntrySchema, handlerSchema, idleStrategySchema, type MongooseConfig } from "./schema.ts";
import { nonEmptyName } from "./schema-parts.ts";
import { journalFolderProblem } from "./journal-config.ts";
import { isJournaled } from "../plan/journal-plan.ts";

/** What `server.addHandler` takes: an `eventHandlers` entry with its agent and name. */
export type HandlerRegistration = v.InferInput<typeof handlerRegistrationSchema>;

/** What `server.addFeed` takes: the keys of an `eventFeeds` entry. */
export type FeedRegistration = NonNullable<MongooseConfig["eventFeeds"]>[number];

/** Where the server resolves module paths and whether its agents run inline. */
export interface RegistrationOptions {
  baseDir: string;
  inline: boolean;
}

const handlerRegistrationSchema = v.strictObject({
  ...handlerSchema.entries,
  agentName,
  name: nonEmptyName,
  /** For a new agent only. */
  idleStrategy: v.optional(idleStrategySchema),
});

/** Validates `input` or throws a ConfigError whose problems are located under `root`. */
function parsed<T>(schema: v.GenericSchema<unknown, T>, input: unknown, root: string): T {
  const result = v.safeParse(schema, input, { abortEarly: false });
  if (!result.success) throw problemsError(root, result.issues.map(issueProblem));
  return result.output;
}

function problemsError(root: string, problems: ConfigProblem[]): ConfigError {
  return new ConfigError(formatProblems(problems.map((problem) => ({ ...problem, path: [root, ...problem.path] as ConfigPath }))));
}

/** The plan of an agent started at runtime for one component; `idleStrategy` is refused for an agent that exists. */
function agentFor(plan: ServerPlan, name: string, idle: IdleStrategySpec | undefined, mode: AgentPlan["mode"], root: string): AgentPlan | undefined {
  const existing = plan.agents.find((agent) => agent.name === name);
  if (existing) {
    if (idle !== undefined && JSON.stringify(idle) !== JSON.stringify(existing.idle)) {
      throw problemsError(root, [{ path: ["idleStrategy"], message: `agent "${name}" already runs with ${existing.idle.type}; idleStrategy applies to a new agent only` }]);
    }
    return undefined;
  }
  // A new agent gets its handlers at runtime, so it gets an instance of every agent-local service, as every agent with handlers does.
  const services = plan.services.filter((service) => service.agentName === undefined);
  return { name, mode, idle: idle ?? plan.defaultIdle ?? { type: "backoff" }, handlers: [], services, hostedFeeds: [], hostedSinks: [] };
}

/**
 * Checks a handler registration against the running plan and plans it. Throws ConfigError naming what is
 * wrong: a bad key, a duplicate name on its agent, an in-process handler for a worker agent.
 *
 * @example
 * ```ts
 * const addition = planHandlerAddition({ agentName: "late-agent", name: "audit", handler: "./audit.ts" }, plan, { baseDir: ".", inline: false });
 * addition.newAgent?.mode; // "worker"
 * ```
 */
export function planHandlerAddition(input: unknown, plan: ServerPlan, options: RegistrationOptions): HandlerAddition {
  const root = "addHandler";
  const spec = parsed(handlerRegistrationSchema, input, root);
  const source = typeof spec.handler === "string" ? { kind: "module" as const, ...moduleSource(spec.handler, options.baseDir) } : { kind: "value" as const, value: spec.handler };
  const handler = { name: spec.name, source, config: spec.configMap, logLevel: spec.logLevel, retry: spec.retry, circuitBreaker: spec.circuitBreaker, onFull: spec.onFull as HandlerPlan["onFull"] };
  const idle = spec.idleStrategy === undefined ? undefined : toIdleSpec(spec.idleStrategy);
  const newAgent = agentFor(plan, spec.agentName, idle, options.inline || source.kind === "value" ? "inline" : "worker", root);
  const existing = plan.agents.find((agent) => agent.name === spec.agentName);
  if (existing?.handlers.some((h) => h.name === spec.name)) {
    throw problemsError(root, [{ path: ["name"], message: `agent "${spec.agentName}" already has a handler "${spec.name}"` }]);
  }
  if (plan.journal && isJournaled(plan.journal, spec.name)) {
    const agents = [...plan.agents.filter((agent) => agent.handlers.some((h) => h.name === spec.name)).map((agent) => agent.name), spec.agentName];
    const problem = journalFolderProblem(spec.name, agents);
    if (problem) throw problemsError(root, [{ path: ["name"], message: problem }]);
  }
  for (const feed of Object.keys(spec.onFull ?? {})) {
    if (!plan.feeds.some((f) => f.name === feed)) {
      throw problemsError(root, [{ path: ["onFull", feed], message: `"${feed}" names no feed or pipe (feeds: ${plan.feeds.map((f) => f.name).join(", ") || "none"})` }]);
    }
    // A ring's policy is fixed when it is created, and an agent with handlers may have its ring from the feed already.
    if (existing && existing.handlers.length > 0) {
      throw problemsError(root, [{ path: ["onFull", feed], message: `agent "${spec.agentName}" is running with handlers, whose ring from "${feed}" keeps its policy; onFull of an added handler applies to a new agent only` }]);
    }
  }
  if (existing?.mode === "worker" && source.kind === "value") {
    throw problemsError(root, [{ path: ["handler"], message: `an in-process handler (class, factory or object) cannot be sent to worker agent "${spec.agentName}"; give a module path, or use an inline agent` }]);
  }
  return { agentName: spec.agentName, handler, newAgent };
}

/**
 * Checks a feed registration (an `eventFeeds` entry) against the running plan and plans it. Throws
 * ConfigError naming what is wrong: a bad key, a duplicate feed name, an unknown event type.
 *
 * @example
 * ```ts
 * const { feed } = planFeedAddition({ name: "late-prices", type: "memory" }, plan, { baseDir: ".", inline: false });
 * feed.host; // "supervisor"
 * ```
 */
export function planFeedAddition(input: unknown, plan: ServerPlan, options: RegistrationOptions): FeedAddition {
  const root = "addFeed";
  const entry = parsed(feedEntrySchema, input, root);
  const problems: ConfigProblem[] = [];
  if (plan.feeds.some((feed) => feed.name === entry.name)) problems.push({ path: ["name"], message: `duplicate feed name "${entry.name}" (feeds and pipes share one namespace)` });
  const typeNames = plan.eventTypes.map((type) => type.name);
  if (entry.eventType !== undefined && !typeNames.includes(entry.eventType)) {
    problems.push({ path: ["eventType"], message: `"${entry.eventType}" names no event type (eventTypes: ${typeNames.join(", ") || "none"})` });
  }
  // Its acks need the durable tracking and counters that agents set up at boot.
  if (entry.type === "nats") problems.push({ path: ["type"], message: "a nats feed cannot be added at runtime: configure it at boot (eventFeeds)" });
  if (problems.length > 0) throw problemsError(root, problems);
  const feed = feedPlanOf(entry, Math.max(0, ...plan.feeds.map((f) => f.id)) + 1, options.baseDir);
  const idle = entry.idleStrategy === undefined ? undefined : toIdleSpec(entry.idleStrategy);
  const newAgent = feed.host === SUPERVISOR_AGENT ? undefined : agentFor(plan, feed.host, idle, options.inline ? "inline" : "worker", root);
  return { feed, newAgent };
}
