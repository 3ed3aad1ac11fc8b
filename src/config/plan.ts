/**
 * Turns a configuration into the plan the supervisor executes: which agents exist, how each runs, what
 * each hosts. Validation happens here, all at once: every problem is reported with its path, and
 * nothing starts when there is any.
 *
 * @module
 */
import * as v from "valibot";
import { resolve } from "node:path";
import type { IdleStrategySpec } from "../agent/idle-strategy.ts";
import { ConfigError } from "./config-error.ts";
import { defineEvent, type EventTypeSpec, MAX_FIXED_CODEC_ID, MIN_FIXED_CODEC_ID } from "../transport/fixed-layout.ts";
import type { AdminPlan, AgentPlan, EventTypePlan, FeedPlan, HandlerPlan, MapperSource, ServerPlan, SinkPlan } from "../plan/types.ts";
import { SUPERVISOR_AGENT } from "../plan/types.ts";
import { type ComponentType, DEFAULT_IO_AGENT, feedTypes, sinkTypes } from "./component-types.ts";
import { type ConfigPath, type ConfigProblem, formatProblems, type Locator, pathText as pathTextOf } from "./problems.ts";
import { adminExposureProblems } from "./admin-exposure.ts";
import { adminSchema, configSchema, type EffectiveConfig, type MongooseConfig } from "./schema.ts";
import { moduleSource } from "./module-source.ts";
import { restartPolicyOf } from "./restart-policy.ts";
import { journalPlanOf, journalProblems } from "./journal-config.ts";
import { serviceFeeds, servicePlan, serviceProblems } from "./service-plans.ts";

export { moduleSource };

/** Options that shape the plan but are not part of the configuration file. */
export interface PlanOptions {
  /** Directory that relative module paths (handlers, mappers, plugins) are resolved against (default: the working directory). */
  baseDir?: string;
  /** Run every agent inline on the calling thread (hosts without Workers). */
  inline?: boolean;
  /** Locates problems in the configuration's source file (set by the YAML loader). */
  locate?: Locator;
}

/**
 * A schema issue as a configuration problem with its path.
 *
 * @example
 * ```ts
 * const result = v.safeParse(configSchema, config);
 * if (!result.success) console.log(formatProblems(result.issues.map(issueProblem)));
 * ```
 */
export function issueProblem(issue: v.BaseIssue<unknown>): ConfigProblem {
  const path: ConfigPath = (issue.path ?? []).map((item) => item.key as string | number);
  if (issue.type === "strict_object" && issue.expected === "never") return { path, message: "unknown key", atKey: true };
  if (issue.received === "undefined" && issue.kind === "schema") return { path, message: "missing (required)" };
  if (issue.message.startsWith("Invalid type: Expected ") || issue.message.startsWith("Invalid key: ")) {
    return { path, message: `expected ${issue.expected}, got ${issue.received}` };
  }
  const input = issue.input;
  if (issue.kind === "validation" && issue.type !== "check" && (typeof input === "string" || typeof input === "number") && !issue.message.includes("got ")) {
    return { path, message: `${issue.message}, got ${JSON.stringify(input)}` };
  }
  return { path, message: issue.message };
}

/** Indexes of names that appeared earlier in the list. */
function repeats(names: readonly string[]): number[] {
  return names.flatMap((name, index) => (names.indexOf(name) !== index ? [index] : []));
}

const typeOf = (types: ComponentType[], type: string) => types.find((t) => t.type === type)!;

/** The agent that hosts a feed or sink entry. */
function hostOf(entry: { type: string; agentName?: string }, types: ComponentType[]): string {
  const placement = typeOf(types, entry.type).placement;
  if (placement === "supervisor") return SUPERVISOR_AGENT;
  return entry.agentName ?? (placement === "io-agent" ? DEFAULT_IO_AGENT : SUPERVISOR_AGENT);
}

const pipeSinkName = (pipe: EffectiveConfig["pipes"][number]) => pipe.sinkName ?? `${pipe.name}.sink`;

/** The host of every sink, fan-out targets moved to their fan-out's agent. */
function sinkHosts(config: EffectiveConfig, problems: ConfigProblem[]): Map<string, string> {
  const hosts = new Map(config.eventSinks.map((sink) => [sink.name, hostOf(sink, sinkTypes)]));
  config.eventSinks.forEach((sink, index) => {
    if (sink.type !== "fanout") return;
    const fanoutHost = hosts.get(sink.name)!;
    (sink.targets as string[]).forEach((target, position) => {
      const path = ["eventSinks", index, "targets", position];
      const entry = config.eventSinks.find((s) => s.name === target);
      if (!entry) {
        problems.push({ path, message: `"${target}" names no sink (sinks: ${config.eventSinks.map((s) => s.name).join(", ")})` });
        return;
      }
      if (target === sink.name || entry.type === "fanout") {
        problems.push({ path, message: `"${target}" is a fan-out sink; fan-outs do not nest` });
        return;
      }
      const placement = typeOf(sinkTypes, entry.type).placement;
      const pinned = placement === "supervisor" ? SUPERVISOR_AGENT : entry.agentName;
      if (pinned !== undefined && pinned !== fanoutHost) {
        problems.push({ path, message: `"${target}" runs on ${pinned} but the fan-out runs on ${fanoutHost}; a fan-out and its targets share one agent` });
        return;
      }
      hosts.set(target, fanoutHost);
    });
  });
  return hosts;
}

/** Checks that need the whole configuration: duplicate names, dangling references, conflicting settings. */
function crossCheck(config: EffectiveConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const feedPaths: [ConfigPath, string][] = [
    ...config.eventFeeds.map((f, i): [ConfigPath, string] => [["eventFeeds", i, "name"], f.name]),
    ...config.pipes.map((p, i): [ConfigPath, string] => [["pipes", i, "name"], p.name]),
    ...config.services.flatMap((s, i) => s.publishes.map((feed, j): [ConfigPath, string] => [["services", i, "publishes", j], feed])),
  ];
  const sinkPaths: [ConfigPath, string][] = [
    ...config.eventSinks.map((s, i): [ConfigPath, string] => [["eventSinks", i, "name"], s.name]),
    ...config.pipes.map((p, i): [ConfigPath, string] => [["pipes", i, p.sinkName ? "sinkName" : "name"], pipeSinkName(p)]),
  ];
  for (const index of repeats(feedPaths.map(([, name]) => name))) {
    problems.push({ path: feedPaths[index][0], message: `duplicate feed name "${feedPaths[index][1]}" (feeds and pipes share one namespace)` });
  }
  for (const index of repeats(sinkPaths.map(([, name]) => name))) {
    problems.push({ path: sinkPaths[index][0], message: `duplicate sink name "${sinkPaths[index][1]}" (sinks and pipe sinks share one namespace)` });
  }
  for (const index of repeats(config.eventHandlers.map((g) => g.agentName))) {
    problems.push({ path: ["eventHandlers", index, "agentName"], message: `agent "${config.eventHandlers[index].agentName}" is listed more than once (put all its handlers in one entry)` });
  }
  for (const index of repeats(config.agentThreads.map((t) => t.agentName))) {
    problems.push({ path: ["agentThreads", index, "agentName"], message: `duplicate agentName "${config.agentThreads[index].agentName}"` });
  }
  config.eventHandlers.forEach((group, index) => {
    if (Object.keys(group.eventHandlers).length === 0) problems.push({ path: ["eventHandlers", index, "eventHandlers"], message: `agent "${group.agentName}" has no handlers` });
  });
  const sinkNames = sinkPaths.map(([, name]) => name);
  if (config.deadLetter !== undefined && !sinkNames.includes(config.deadLetter)) {
    problems.push({ path: ["deadLetter"], message: `"${config.deadLetter}" names no sink (sinks: ${sinkNames.join(", ") || "none"})` });
  }
  const deadLetterSink = config.eventSinks.findIndex((sink) => sink.name === config.deadLetter);
  if (deadLetterSink >= 0 && config.eventSinks[deadLetterSink].circuitBreaker?.whenOpen === "deadLetter") {
    // Its rejected values would be dead letters sent to itself.
    problems.push({ path: ["eventSinks", deadLetterSink, "circuitBreaker", "whenOpen"], message: `"${config.deadLetter}" is the dead-letter sink: while its circuit is open it can only hold values (whenOpen: hold)` });
  }
  const typeNames = eventTypeSpecs(config, problems).map((type) => type.name);
  const checkEventType = (name: string | undefined, path: ConfigPath) => {
    if (name !== undefined && !typeNames.includes(name)) problems.push({ path, message: `"${name}" names no event type (eventTypes: ${typeNames.join(", ") || "none"})` });
  };
  config.eventFeeds.forEach((feed, i) => checkEventType(feed.eventType as string | undefined, ["eventFeeds", i, "eventType"]));
  config.pipes.forEach((pipe, i) => checkEventType(pipe.eventType, ["pipes", i, "eventType"]));
  sinkHosts(config, problems);
  problems.push(...fullRingProblems(config, feedPaths.map(([, name]) => name)));
  problems.push(...serviceProblems(config.services, new Set(config.eventHandlers.flatMap((group) => Object.keys(group.eventHandlers)))));
  problems.push(...journalProblems(config.journal, config.eventHandlers.flatMap((group) => Object.keys(group.eventHandlers).map((handler) => ({ agent: group.agentName, handler })))));
  return problems;
}

/**
 * Handlers' `onFull` overrides: each names a feed, and handlers on one agent agree, since they share the
 * agent's one ring from that feed.
 */
function fullRingProblems(config: EffectiveConfig, feedNames: readonly string[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  config.eventHandlers.forEach((group, index) => {
    const chosen = new Map<string, { handler: string; policy: string }>();
    for (const [handler, spec] of Object.entries(group.eventHandlers)) {
      for (const [feed, policy] of Object.entries(spec.onFull ?? {})) {
        const path: ConfigPath = ["eventHandlers", index, "eventHandlers", handler, "onFull", feed];
        if (!feedNames.includes(feed)) {
          problems.push({ path, message: `"${feed}" names no feed or pipe (feeds: ${feedNames.join(", ") || "none"})` });
          continue;
        }
        const earlier = chosen.get(feed);
        if (earlier && earlier.policy !== policy) {
          problems.push({
            path,
            message: `handlers "${earlier.handler}" and "${handler}" on agent "${group.agentName}" ask for different onFull for feed "${feed}" (${earlier.policy}, ${policy}): ` +
              `they share the agent's one ring from it; give them the same policy or put them on different agents`,
          });
        }
        if (!earlier) chosen.set(feed, { handler, policy });
      }
    }
  });
  return problems;
}

/** The declared event types as specs (a YAML map or a list from code), each checked by defineEvent. */
function eventTypeSpecs(config: EffectiveConfig, problems: ConfigProblem[] = []): EventTypeSpec[] {
  const declared = Array.isArray(config.eventTypes)
    ? config.eventTypes.map((spec, i) => ({ spec, path: ["eventTypes", i] as ConfigPath }))
    : Object.entries(config.eventTypes).map(([name, fields]) => ({ spec: { name, fields }, path: ["eventTypes", name] as ConfigPath }));
  const specs: EventTypeSpec[] = [];
  for (const { spec, path } of declared) {
    if (specs.some((known) => known.name === spec.name)) {
      problems.push({ path, message: `duplicate event type "${spec.name}"` });
      continue;
    }
    try {
      specs.push(defineEvent(spec.name, spec.fields as EventTypeSpec["fields"]));
    } catch (error) {
      problems.push({ path, message: (error as Error).message });
    }
  }
  const room = MAX_FIXED_CODEC_ID - MIN_FIXED_CODEC_ID + 1;
  if (specs.length > room) problems.push({ path: ["eventTypes"], message: `at most ${room} event types, got ${specs.length}` });
  return specs;
}

/**
 * Validates a configuration against the schema; returns it with defaults applied or throws
 * {@link ConfigError} listing every problem.
 *
 * @example
 * ```ts
 * const effective = validateConfig({ eventFeeds: [{ name: "prices", type: "memory" }] });
 * effective.idleStrategy; // "backoff"
 * ```
 */
export function validateConfig(config: unknown, locate?: Locator): EffectiveConfig {
  config ??= {};
  if (typeof config !== "object" || Array.isArray(config)) {
    const found = Array.isArray(config) ? "a list" : JSON.stringify(config);
    throw new ConfigError(formatProblems([{ path: [], message: `expected a map of settings (eventFeeds, eventHandlers, …), got ${found}` }], locate));
  }
  const result = v.safeParse(configSchema, config, { abortEarly: false });
  if (!result.success) throw new ConfigError(formatProblems(result.issues.map(issueProblem), locate));
  const problems = crossCheck(result.output);
  if (problems.length > 0) throw new ConfigError(formatProblems(problems, locate));
  return result.output;
}

/** Normalises `idleStrategy` (a name or an object) to a spec. */
export function toIdleSpec(value: EffectiveConfig["idleStrategy"]): IdleStrategySpec {
  return (typeof value === "string" ? { type: value } : value) as IdleStrategySpec;
}


function mapperSource(reference: string | undefined, baseDir: string): MapperSource | undefined {
  if (reference === undefined) return undefined;
  if (reference === "string" || reference === "json") return { kind: reference };
  return { kind: "module", ...moduleSource(reference, baseDir) };
}

/** A validated `eventFeeds` entry as planned: `id` is stamped into its ring records. */
export type FeedEntry = EffectiveConfig["eventFeeds"][number];

/** Resolves a NATS feed's or sink's credential files against `baseDir`: `credsFile` and the `tls` files. */
function resolveCredentialPaths(settings: Record<string, unknown>, baseDir: string): void {
  if (typeof settings.credsFile === "string") settings.credsFile = resolve(baseDir, settings.credsFile);
  const tls = settings.tls as Record<string, string> | undefined;
  if (tls) settings.tls = Object.fromEntries(Object.entries(tls).map(([key, file]) => [key, resolve(baseDir, file)]));
}

/**
 * The plan of one validated `eventFeeds` entry, relative paths resolved against `baseDir`.
 *
 * @example
 * ```ts
 * feedPlanOf({ name: "prices", type: "memory", broadcast: true, wrapWithNamedEvent: false, cacheEventLog: false, cacheLimit: 100_000 }, 1, ".").host; // "supervisor"
 * ```
 */
export function feedPlanOf(feed: FeedEntry, id: number, baseDir: string): FeedPlan {
  const { name, type, broadcast, wrapWithNamedEvent, cacheEventLog, cacheLimit, valueMapper, eventType, onFull, ringCapacity, clock, agentName: _agent, idleStrategy: _idle, ...settings } = feed;
  if (typeof settings.filename === "string") settings.filename = resolve(baseDir, settings.filename);
  resolveCredentialPaths(settings, baseDir);
  return {
    id,
    name,
    type,
    broadcast,
    wrapWithNamedEvent,
    cache: { enabled: cacheEventLog, limit: cacheLimit },
    mapper: mapperSource(valueMapper, baseDir),
    eventType: eventType as string | undefined,
    host: hostOf(feed, feedTypes),
    onFull,
    ringCapacity,
    ...(clock === "replayRecords" ? { clock } : {}),
    settings,
    module: type === "module" ? moduleSource(settings.module as string, baseDir) : undefined,
  };
}

/** Every idle strategy set for each agent, with where it was set. */
function idleSettings(config: EffectiveConfig): Map<string, { path: ConfigPath; spec: IdleStrategySpec }[]> {
  const settings = new Map<string, { path: ConfigPath; spec: IdleStrategySpec }[]>();
  const add = (agent: string, path: ConfigPath, value: EffectiveConfig["idleStrategy"] | undefined) => {
    if (value === undefined) return;
    settings.set(agent, [...settings.get(agent) ?? [], { path, spec: toIdleSpec(value) }]);
  };
  config.eventHandlers.forEach((group, i) => add(group.agentName, ["eventHandlers", i, "idleStrategy"], group.idleStrategy));
  config.eventFeeds.forEach((feed, i) => add(hostOf(feed, feedTypes), ["eventFeeds", i, "idleStrategy"], feed.idleStrategy));
  config.eventSinks.forEach((sink, i) => add(hostOf(sink, sinkTypes), ["eventSinks", i, "idleStrategy"], sink.idleStrategy));
  config.services.forEach((service, i) => service.agentName !== undefined && add(service.agentName, ["services", i, "idleStrategy"], service.idleStrategy));
  return settings;
}

/**
 * The admin server's settings when the configuration has no `admin` key and the caller wants it on
 * (`mongoose run`): the schema's defaults, 127.0.0.1:8080 without a token.
 */
export function defaultAdminPlan(): AdminPlan {
  return adminPlan(v.parse(adminSchema, {}), "") as AdminPlan;
}

/** The admin server's plan: TLS files and the audit log resolved against the configuration's folder. */
function adminPlan(admin: EffectiveConfig["admin"], baseDir: string): AdminPlan | false | undefined {
  if (admin === undefined || admin === false) return admin;
  const { tls, readiness, auditLog, ...rest } = admin;
  const maxBacklog = typeof readiness.maxBacklog === "number" ? { events: readiness.maxBacklog } : { fraction: parseFloat(readiness.maxBacklog) / 100 };
  return {
    ...rest,
    readiness: { maxBacklog },
    ...(tls && { tls: { certFile: resolve(baseDir, tls.certFile), keyFile: resolve(baseDir, tls.keyFile) } }),
    ...(auditLog && { auditLog: resolve(baseDir, auditLog) }),
  };
}

/**
 * Validates a configuration and builds the boot plan.
 *
 * @example
 * ```ts
 * const plan = buildPlan({
 *   eventFeeds: [{ name: "prices", type: "memory", broadcast: true }],
 *   eventHandlers: [{ agentName: "processor", eventHandlers: { pnl: { handler: "./pnl.ts" } } }],
 * });
 * plan.agents.map((a) => a.name); // ["supervisor", "processor"]
 * ```
 */
export function buildPlan(config: MongooseConfig | unknown, options: PlanOptions = {}): ServerPlan {
  const effective = validateConfig(config, options.locate);
  const baseDir = options.baseDir ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const hostsOfSinks = sinkHosts(effective, problems);
  const feeds: FeedPlan[] = effective.eventFeeds.map((feed, index) => feedPlanOf(feed, index + 1, baseDir));
  const services = effective.services.map((service) => servicePlan(service, baseDir));
  feeds.push(...serviceFeeds(services, feeds.length + 1));
  for (const pipe of effective.pipes) {
    feeds.push({
      id: feeds.length + 1,
      name: pipe.name,
      type: "pipe",
      broadcast: pipe.broadcast,
      wrapWithNamedEvent: pipe.wrapWithNamedEvent,
      cache: { enabled: pipe.cacheEventLog, limit: pipe.cacheLimit },
      mapper: mapperSource(pipe.valueMapper, baseDir),
      eventType: pipe.eventType,
      host: "",
      onFull: pipe.onFull,
      ringCapacity: pipe.ringCapacity,
      settings: {},
    });
  }
  const sinks: SinkPlan[] = effective.eventSinks.map((sink, index) => {
    const { name, type, valueMapper, circuitBreaker, agentName: _agent, idleStrategy: _idle, ...settings } = sink;
    if (typeof settings.filename === "string") settings.filename = resolve(baseDir, settings.filename);
    resolveCredentialPaths(settings, baseDir);
    return {
      id: index + 1,
      name,
      type,
      mapper: mapperSource(valueMapper, baseDir),
      host: hostsOfSinks.get(name)!,
      settings,
      module: type === "module" ? moduleSource(settings.module as string, baseDir) : undefined,
      circuitBreaker,
    };
  });
  for (const pipe of effective.pipes) {
    sinks.push({ id: sinks.length + 1, name: pipeSinkName(pipe), type: "pipe", host: "", settings: {}, pipe: pipe.name });
  }

  const defaultIdle = toIdleSpec(effective.idleStrategy);
  const idle = idleSettings(effective);
  const agentNames = new Set([
    ...effective.eventHandlers.map((g) => g.agentName),
    ...services.flatMap((service) => service.agentName ?? []),
    ...feeds.map((f) => f.host),
    ...sinks.map((s) => s.host),
  ].filter((name) => name !== "" && name !== SUPERVISOR_AGENT));
  effective.agentThreads.forEach((thread, index) => {
    if (!agentNames.has(thread.agentName)) {
      problems.push({ path: ["agentThreads", index, "agentName"], message: `"${thread.agentName}" names no agent (known: ${[...agentNames].join(", ") || "none"})` });
    }
  });
  for (const [agent, settings] of idle) {
    const thread = effective.agentThreads.findIndex((t) => t.agentName === agent);
    if (thread >= 0 && effective.agentThreads[thread].idleStrategy !== undefined) {
      for (const setting of settings) {
        problems.push({ path: setting.path, message: `agent "${agent}" also gets an idleStrategy in agentThreads[${thread}]; set it in one place` });
      }
    } else if (new Set(settings.map((s) => JSON.stringify(s.spec))).size > 1) {
      problems.push({ path: settings[1].path, message: `agent "${agent}" is given another idle strategy in ${settings.filter((_, i) => i !== 1).map((s) => pathTextOf(s.path)).join(" and ")}; set it once (agentThreads)` });
    }
  }
  const restartPolicies = new Map(effective.agentThreads.map((thread, index) => [thread.agentName, restartPolicyOf(thread, index, problems)]));
  problems.push(...adminExposureProblems(effective.admin));
  if (problems.length > 0) throw new ConfigError(formatProblems(problems, options.locate));

  const supervisor: AgentPlan = {
    name: SUPERVISOR_AGENT,
    mode: "inline",
    idle: { type: "blocking" },
    handlers: [],
    services: [],
    hostedFeeds: feeds.filter((f) => f.host === SUPERVISOR_AGENT).map((f) => f.name),
    hostedSinks: sinks.filter((s) => s.host === SUPERVISOR_AGENT).map((s) => s.name),
  };
  const agents = [...agentNames].map((name): AgentPlan => {
    const thread = effective.agentThreads.find((t) => t.agentName === name);
    const group = effective.eventHandlers.find((g) => g.agentName === name);
    const handlers = Object.entries(group?.eventHandlers ?? {}).map(([handler, spec]): HandlerPlan => ({
      name: handler,
      source: typeof spec.handler === "string" ? { kind: "module", ...moduleSource(spec.handler, baseDir) } : { kind: "value", value: spec.handler },
      config: spec.configMap,
      logLevel: spec.logLevel,
      retry: spec.retry,
      circuitBreaker: spec.circuitBreaker,
      onFull: spec.onFull as HandlerPlan["onFull"],
    }));
    // Agent-local services get an instance on every agent with handlers; worker services on their own agent.
    const hostedServices = services.filter((service) => service.agentName === name || (service.agentName === undefined && handlers.length > 0));
    const inProcess = [...handlers, ...hostedServices].some((component) => component.source.kind === "value");
    const chosen = thread?.idleStrategy !== undefined ? toIdleSpec(thread.idleStrategy) : idle.get(name)?.[0]?.spec;
    return {
      name,
      mode: options.inline || inProcess ? "inline" : "worker",
      idle: chosen ?? defaultIdle,
      coreId: thread?.coreId,
      batchSize: thread?.batchSize,
      maxHeapMb: thread?.maxHeapMb,
      restart: restartPolicies.get(name),
      handlers,
      services: hostedServices,
      hostedFeeds: feeds.filter((f) => f.host === name).map((f) => f.name),
      hostedSinks: sinks.filter((s) => s.host === name).map((s) => s.name),
    };
  });
  const eventTypes = eventTypeSpecs(effective).map((spec, index): EventTypePlan => ({ ...spec, codecId: MIN_FIXED_CODEC_ID + index }));
  return { agents: [supervisor, ...agents], eventTypes, feeds, sinks, services, deadLetter: effective.deadLetter, defaultIdle, latency: effective.latency, admin: adminPlan(effective.admin, baseDir), journal: journalPlanOf(effective.journal, baseDir), shutdownTimeoutMs: effective.shutdownTimeoutMs, tracing: effective.tracing };
}
