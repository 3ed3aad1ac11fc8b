/**
 * Turns a configuration into the plan the supervisor executes: which agents exist, how each runs, what
 * each hosts. Validation happens here, all at once: every problem is reported with its path, and
 * nothing starts when there is any.
 *
 * @module
 */
import * as v from "valibot";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { IdleStrategySpec } from "../agent/idle-strategy.ts";
import { ConfigError } from "../core/errors.ts";
import type { LogLevel } from "../core/log.ts";
import { feedTypes, sinkTypes } from "./component-types.ts";
import { configSchema, type EffectiveConfig, type MongooseConfig } from "./schema.ts";

/** Where a handler comes from. */
export type HandlerSource =
  | { kind: "module"; url: string; exportName: string; display: string }
  | { kind: "value"; value: unknown };

export interface HandlerPlan {
  name: string;
  source: HandlerSource;
  config: Record<string, unknown>;
  logLevel?: LogLevel;
}

/** The reserved name of the supervisor thread's own agent. */
export const SUPERVISOR_AGENT = "supervisor";

export interface AgentPlan {
  name: string;
  /** `worker`: its own thread; `inline`: on the supervisor's thread, driven by the event loop. */
  mode: "worker" | "inline";
  idle: IdleStrategySpec;
  coreId?: number;
  handlers: HandlerPlan[];
  /** Feeds whose publishing side lives on this agent. */
  hostedFeeds: string[];
  /** Sinks whose consuming side lives on this agent. */
  hostedSinks: string[];
}

export interface FeedPlan {
  /** 1-based id stamped into ring records. */
  id: number;
  name: string;
  type: string;
  broadcast: boolean;
  wrapWithNamedEvent: boolean;
  host: string;
}

export interface SinkPlan {
  id: number;
  name: string;
  type: string;
  host: string;
}

/** Everything the supervisor needs to boot. `agents[0]` is the supervisor's own agent. */
export interface ServerPlan {
  agents: AgentPlan[];
  feeds: FeedPlan[];
  sinks: SinkPlan[];
}

/** Options that shape the plan but are not part of the configuration file. */
export interface PlanOptions {
  /** Directory that relative handler paths are resolved against (default: the working directory). */
  baseDir?: string;
  /** Run every agent inline on the calling thread (hosts without Workers). */
  inline?: boolean;
}

function formatPath(path: v.IssuePathItem[] | undefined): string {
  let text = "";
  for (const item of path ?? []) {
    const key = item.key as string | number;
    text += typeof key === "number" ? `[${key}]` : text === "" ? String(key) : `.${key}`;
  }
  return text || "(top level)";
}

function formatIssue(issue: v.BaseIssue<unknown>): string {
  const path = formatPath(issue.path);
  if (issue.type === "strict_object" && issue.expected === "never") return `${path}: unknown key`;
  if (issue.received === "undefined" && issue.kind === "schema") return `${path}: missing (required)`;
  if (issue.message.startsWith("Invalid type: Expected ") || issue.message.startsWith("Invalid key: ")) {
    return `${path}: expected ${issue.expected}, got ${issue.received}`;
  }
  return `${path}: ${issue.message}`;
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
export function validateConfig(config: unknown): EffectiveConfig {
  const result = v.safeParse(configSchema, config ?? {}, { abortEarly: false });
  if (!result.success) throw new ConfigError(result.issues.map(formatIssue));
  const problems = crossCheck(result.output);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.output;
}

function duplicates(names: string[]): string[] {
  return names.filter((name, index) => names.indexOf(name) !== index);
}

/** Checks that need the whole configuration: duplicate names, dangling references, conflicting settings. */
function crossCheck(config: EffectiveConfig): string[] {
  const problems: string[] = [];
  for (const name of duplicates(config.eventFeeds.map((f) => f.name))) problems.push(`eventFeeds: duplicate feed name "${name}"`);
  for (const name of duplicates(config.eventSinks.map((s) => s.name))) problems.push(`eventSinks: duplicate sink name "${name}"`);
  for (const name of duplicates(config.eventHandlers.map((g) => g.agentName))) {
    problems.push(`eventHandlers: agent "${name}" is listed more than once (put all its handlers in one entry)`);
  }
  for (const name of duplicates(config.agentThreads.map((t) => t.agentName))) problems.push(`agentThreads: duplicate agentName "${name}"`);
  const agents = new Set(config.eventHandlers.map((g) => g.agentName));
  config.agentThreads.forEach((thread, index) => {
    if (!agents.has(thread.agentName)) {
      problems.push(`agentThreads[${index}].agentName: "${thread.agentName}" names no agent (known: ${[...agents].join(", ") || "none"})`);
    }
    const group = config.eventHandlers.findIndex((g) => g.agentName === thread.agentName);
    if (thread.idleStrategy !== undefined && group >= 0 && config.eventHandlers[group].idleStrategy !== undefined) {
      problems.push(`agentThreads[${index}].idleStrategy: agent "${thread.agentName}" also sets idleStrategy in eventHandlers[${group}]; set it in one place`);
    }
  });
  config.eventHandlers.forEach((group, index) => {
    if (Object.keys(group.eventHandlers).length === 0) problems.push(`eventHandlers[${index}].eventHandlers: agent "${group.agentName}" has no handlers`);
  });
  return problems;
}

/** Normalises `idleStrategy` (a name or an object) to a spec. */
export function toIdleSpec(value: EffectiveConfig["idleStrategy"]): IdleStrategySpec {
  return (typeof value === "string" ? { type: value } : value) as IdleStrategySpec;
}

function handlerSource(reference: unknown, baseDir: string): HandlerSource {
  if (typeof reference !== "string") return { kind: "value", value: reference };
  const hash = reference.lastIndexOf("#");
  const path = hash > 0 ? reference.slice(0, hash) : reference;
  const exportName = hash > 0 ? reference.slice(hash + 1) : "default";
  const url = /^[a-z][a-z0-9+.-]*:/i.test(path) && !/^[a-z]:[\\/]/i.test(path)
    ? path
    : pathToFileURL(isAbsolute(path) ? path : resolve(baseDir, path)).href;
  return { kind: "module", url, exportName, display: path };
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
  const effective = validateConfig(config);
  const baseDir = options.baseDir ?? process.cwd();
  const feeds: FeedPlan[] = effective.eventFeeds.map((feed, index) => ({
    id: index + 1,
    name: feed.name,
    type: feed.type,
    broadcast: feed.broadcast,
    wrapWithNamedEvent: feed.wrapWithNamedEvent,
    host: feedTypes.find((t) => t.type === feed.type)!.host,
  }));
  const sinks: SinkPlan[] = effective.eventSinks.map((sink, index) => ({
    id: index + 1,
    name: sink.name,
    type: sink.type,
    host: sinkTypes.find((t) => t.type === sink.type)!.host,
  }));
  const supervisor: AgentPlan = {
    name: SUPERVISOR_AGENT,
    mode: "inline",
    idle: { type: "blocking" },
    handlers: [],
    hostedFeeds: feeds.filter((f) => f.host === SUPERVISOR_AGENT).map((f) => f.name),
    hostedSinks: sinks.filter((s) => s.host === SUPERVISOR_AGENT).map((s) => s.name),
  };
  const defaultIdle = toIdleSpec(effective.idleStrategy);
  const agents = effective.eventHandlers.map((group): AgentPlan => {
    const thread = effective.agentThreads.find((t) => t.agentName === group.agentName);
    const handlers = Object.entries(group.eventHandlers).map(([name, spec]): HandlerPlan => ({
      name,
      source: handlerSource(spec.handler, baseDir),
      config: spec.configMap,
      logLevel: spec.logLevel,
    }));
    const inProcess = handlers.some((h) => h.source.kind === "value");
    const idle = thread?.idleStrategy ?? group.idleStrategy;
    return {
      name: group.agentName,
      mode: options.inline || inProcess ? "inline" : "worker",
      idle: idle === undefined ? defaultIdle : toIdleSpec(idle),
      coreId: thread?.coreId,
      handlers,
      hostedFeeds: [],
      hostedSinks: [],
    };
  });
  return { agents: [supervisor, ...agents], feeds, sinks };
}
