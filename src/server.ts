/**
 * `MongooseServer`: the embedding API. Boot from a configuration object, YAML text or a YAML file (the
 * same keys), offer values into memory feeds, read memory sinks, watch errors and counters, stop gracefully.
 *
 * @module
 */
import process from "node:process";
import { buildPlan, type PlanOptions } from "./config/plan.ts";
import { SUPERVISOR_AGENT } from "./plan/types.ts";
import { preflight } from "./config/preflight.ts";
import { type LoadedConfig, loadYamlConfig, parseYamlConfig } from "./config/yaml-loader.ts";
import type { MongooseConfig, ServiceConfig } from "./config/schema.ts";
import { parseService } from "./config/service-entry.ts";
import type { CounterSample } from "./core/counters.ts";
import { checkEnvironment } from "./core/environment-check.ts";
import type { ErrorReport } from "./core/errors.ts";
import type { LocalComponents } from "./core/agent-endpoint.ts";
import { ThreadLauncher } from "./core/launcher.ts";
import type { FeedStatusEntry, Tuning } from "./core/protocol.ts";
import { ServerKeepAlive } from "./core/keep-alive.ts";
import { MemorySink } from "./core/sinks/memory-sink.ts";
import type { AgentStatus } from "./core/supervisor/agent-health.ts";
import type { RingInfo } from "./core/supervisor/ring-registry.ts";
import type { ServiceInfo } from "./core/supervisor/service-registrar.ts";
import type { StopReport } from "./core/supervisor/stop-sequence.ts";
import { Supervisor } from "./core/supervisor/supervisor.ts";
import { AGENT_WORKER_URL } from "./entry-urls.ts";
import { createLogger, type LogFormat, type LogLevel } from "./log/log.ts";
import type { ServerPlan } from "./plan/types.ts";
import { runtime } from "./runtime/mod.ts";

/** Options for {@link MongooseServer.boot}; all optional. */
export interface ServerOptions extends PlanOptions, Partial<Tuning> {
  /** Log level (default `info`). */
  logLevel?: LogLevel;
  /** `text` (default) or `json` lines. */
  logFormat?: LogFormat;
  /** Data bytes per ring, a power of two (default 256 KiB). */
  ringCapacity?: number;
  /** Longest wait for an agent to boot or answer a lifecycle step (default 30 s). */
  requestTimeoutMs?: number;
  /** Longest wait for an agent to drain its rings while stopping (default 30 s). */
  drainTimeoutMs?: number;
  /** A worker agent whose heartbeat stops for this long is reported unresponsive (default 5 s). */
  unresponsiveAfterMs?: number;
  /** The running server holds the process open until `stop()` (default true); false: the program may end while it runs. */
  keepAlive?: boolean;
}

/** A feed the embedding program publishes into. */
export interface FeedHandle {
  readonly name: string;
  /** Publishes a value to every subscribed handler; returns its sequence number. */
  offer(value: unknown): number;
}

/** Agents, feeds, sinks and rings, as JSON-friendly data. */
export interface Topology {
  agents: {
    name: string;
    mode: "worker" | "inline";
    idleStrategy: string;
    /** The CPU configured in `agentThreads[].coreId`; `pinnedCore` says whether it took effect. */
    coreId?: number;
    /** The CPU the agent's thread is actually pinned to; absent when it is not pinned. */
    pinnedCore?: number;
    /** What became of `coreId`: `pinned to CPU 1 (tid 12345)` or `not pinned: <why>`; absent without a `coreId`. */
    pinning?: string;
    state: string;
    handlers: { name: string; subscriptions: string[] }[];
    feeds: string[];
    sinks: string[];
  }[];
  feeds: { name: string; type: string; broadcast: boolean; host: string; subscribers: string[] }[];
  sinks: { name: string; type: string; host: string; writers: string[] }[];
  services: ServiceInfo[];
  rings: RingInfo[];
}

/** Liveness of the server and each agent. */
export interface Health {
  /** True while every agent's duty cycle is responsive. */
  live: boolean;
  agents: AgentStatus[];
}

const DEFAULTS = {
  batchSize: 256,
  sliceMs: 5,
  maxParkMs: 100,
  offerTimeoutMs: 30_000,
  ringCapacity: 256 * 1024,
  requestTimeoutMs: 30_000,
  drainTimeoutMs: 30_000,
  unresponsiveAfterMs: 5_000,
};

/**
 * An event-processing server running in this process.
 *
 * @example
 * ```ts
 * import { MongooseServer } from "mongoose-server";
 *
 * const server = await MongooseServer.boot({
 *   eventFeeds: [{ name: "prices", type: "memory", broadcast: true }],
 *   eventSinks: [{ name: "out", type: "memory" }],
 *   eventHandlers: [{ agentName: "processor", eventHandlers: { doubler: { handler: "./doubler.ts" } } }],
 * });
 * server.offer("prices", 21);
 * console.log(await server.sink("out").waitFor(1)); // [42]
 * await server.stop();
 * ```
 */
export class MongooseServer {
  /** The supervisor's own agent: it hosts the memory feeds and memory sinks the embedding program uses. */
  private readonly supervisorHost: LocalComponents;

  private constructor(
    private readonly supervisor: Supervisor,
    launcher: ThreadLauncher,
    private readonly keepAlive: ServerKeepAlive,
    /** Where relative module paths of services added at runtime resolve. */
    private readonly baseDir: string,
  ) {
    this.supervisorHost = launcher.localComponents(SUPERVISOR_AGENT)!;
  }

  /**
   * Validates the configuration, starts every agent and returns once all components completed their
   * start. Throws ConfigError (nothing started) or BootError (what started was stopped again).
   */
  static async boot(config: MongooseConfig, options: ServerOptions = {}): Promise<MongooseServer> {
    return await MongooseServer.bootPlan(buildPlan(config, options), options);
  }

  /** Starts the agents of a validated plan. */
  private static async bootPlan(plan: ServerPlan, options: ServerOptions): Promise<MongooseServer> {
    checkEnvironment(plan);
    const log = { level: options.logLevel ?? "info", format: options.logFormat ?? "text" } as const;
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    const launcher = new ThreadLauncher(runtime, AGENT_WORKER_URL, requestTimeoutMs);
    const supervisor = new Supervisor(plan, {
      log,
      logger: createLogger(log, { agent: SUPERVISOR_AGENT }),
      launcher,
      tuning: {
        batchSize: options.batchSize ?? DEFAULTS.batchSize,
        sliceMs: options.sliceMs ?? DEFAULTS.sliceMs,
        maxParkMs: options.maxParkMs ?? DEFAULTS.maxParkMs,
        offerTimeoutMs: options.offerTimeoutMs ?? DEFAULTS.offerTimeoutMs,
        keepAlive: options.keepAlive ?? true,
      },
      ringCapacity: options.ringCapacity ?? DEFAULTS.ringCapacity,
      requestTimeoutMs,
      drainTimeoutMs: options.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs,
      unresponsiveAfterMs: options.unresponsiveAfterMs ?? DEFAULTS.unresponsiveAfterMs,
    });
    await supervisor.boot();
    return new MongooseServer(supervisor, launcher, new ServerKeepAlive(options.keepAlive ?? true), options.baseDir ?? process.cwd());
  }

  /**
   * Boots from YAML text (the same keys as a configuration object). Relative paths resolve against
   * `options.baseDir` (default: the working directory); problems are located as `sourceName:line:col`.
   * Every module the configuration names is checked before anything starts.
   *
   * @example
   * ```ts
   * const server = await MongooseServer.bootYaml("eventFeeds: [{name: in, type: memory}]\n", { sourceName: "inline.yaml" });
   * ```
   */
  static bootYaml(text: string, options: ServerOptions & { sourceName?: string } = {}): Promise<MongooseServer> {
    return MongooseServer.bootLoaded(parseYamlConfig(text, options.sourceName ?? "YAML", options.baseDir ?? process.cwd()), options);
  }

  /**
   * Boots from a YAML file; relative paths in it resolve against its folder.
   *
   * @example
   * ```ts
   * const server = await MongooseServer.bootYamlFile("config/app.yaml");
   * ```
   */
  static bootYamlFile(path: string, options: ServerOptions = {}): Promise<MongooseServer> {
    return MongooseServer.bootLoaded(loadYamlConfig(path), options);
  }

  /** Boots a configuration read by the YAML loader: checks it completely (modules too), then boots the plan it checked. */
  static async bootLoaded(loaded: LoadedConfig, options: ServerOptions = {}): Promise<MongooseServer> {
    const plan = await preflight(loaded.config, { ...options, baseDir: loaded.baseDir, locate: loaded.locate });
    return await MongooseServer.bootPlan(plan, { ...options, baseDir: loaded.baseDir });
  }

  /** Publishes `value` on the memory feed `feed`; returns its sequence number. See {@link FeedHandle.offer}. */
  offer(feed: string, value: unknown): number {
    return this.feed(feed).offer(value);
  }

  /** The memory feed called `name`; throws if there is none. */
  feed(name: string): FeedHandle {
    const feed = this.supervisorHost.memoryFeed(name);
    if (!feed) throw new Error(`no memory feed named "${name}"`);
    return feed;
  }

  /** The memory sink called `name`; throws if there is none. */
  sink<T = unknown>(name: string): MemorySink<T> {
    const sink = this.supervisorHost.sinkPlugin(name);
    if (!(sink instanceof MemorySink)) throw new Error(`no memory sink named "${name}"`);
    return sink as MemorySink<T>;
  }

  /**
   * Stops gracefully: feeds stop, every ring drains, handlers stop, sinks flush, everything is torn down.
   * Calling it again returns the same report.
   */
  stop(): Promise<StopReport> {
    return this.keepAlive.releaseAfter(this.supervisor.stop());
  }

  /** Calls `listener` for every error report (handler exceptions, dead agents…); returns an unsubscribe function. */
  onError(listener: (report: ErrorReport) => void): () => void {
    return this.supervisor.onError(listener);
  }

  /** The most recent error reports (up to 100), oldest first. */
  errors(): ErrorReport[] {
    return this.supervisor.errors();
  }

  /** Every counter of every agent, read from shared memory. */
  counters(): CounterSample[] {
    return this.supervisor.counterSamples();
  }

  /** Sum of a counter over the agents and components whose labels include `labels`. */
  counter(name: string, labels: Record<string, string> = {}): number {
    return this.counters()
      .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
      .reduce((sum, sample) => sum + sample.value, 0);
  }

  /** How every feed is doing: connected (e.g. its file exists), what it is doing, whether it completed. */
  feedStatus(): Promise<FeedStatusEntry[]> {
    return this.supervisor.feedStatus();
  }

  /**
   * Registers a service while the server runs, checked like a `services` entry (relative paths resolve
   * against the boot's `baseDir` or YAML folder). An agent-local service gets an instance on every agent
   * with handlers; a worker service (`agentName`) on that agent, which must be running. Each instance is
   * started, then the handlers on its agent get `onServiceRegistered(name, instance)`. Feeds a service
   * publishes come only from the configuration, so `publishes` is refused here. Throws ConfigError for a
   * bad entry and Error if it cannot be placed or started (nothing is left behind).
   *
   * @example
   * ```ts
   * const info = await server.addService({ name: "rates", handler: "./rates.ts", configMap: { base: "USD" } });
   * info.agents; // ["processor"]
   * ```
   */
  addService(config: ServiceConfig): Promise<ServiceInfo> {
    return Promise.resolve().then(() => this.supervisor.addService(parseService(config, this.baseDir)));
  }

  /**
   * Removes a service while the server runs: handlers on its agents get `onServiceDeregistered(name)`,
   * then its instances stop and are torn down. Resolves false, doing nothing, for an unknown name.
   *
   * @example
   * ```ts
   * await server.removeService("rates"); // true
   * await server.removeService("nope");  // false
   * ```
   */
  removeService(name: string): Promise<boolean> {
    return this.supervisor.removeService(name);
  }

  /**
   * Every service: agent-local or worker, the agents holding an instance, the feeds it publishes.
   *
   * @example
   * ```ts
   * server.services(); // [{ name: "rates", kind: "agent-local", agents: ["processor"], publishes: [] }]
   * ```
   */
  services(): ServiceInfo[] {
    return this.supervisor.services();
  }

  /** Liveness of every agent. */
  health(): Health {
    const agents = this.supervisor.agentStatus();
    return { live: agents.every((agent) => agent.state === "running"), agents };
  }

  /** What runs where and how it is connected. */
  topology(): Topology {
    const plan = this.supervisor.plan;
    const status = new Map(this.supervisor.agentStatus().map((s) => [s.name, s]));
    const rings = this.supervisor.ringInfo();
    return {
      agents: plan.agents.map((agent) => ({
        name: agent.name,
        mode: agent.mode,
        idleStrategy: agent.idle.type,
        coreId: agent.coreId,
        pinnedCore: status.get(agent.name)?.pinnedCore,
        pinning: status.get(agent.name)?.pinning,
        state: status.get(agent.name)?.state ?? "unknown",
        handlers: agent.handlers.map((handler) => ({
          name: handler.name,
          subscriptions: [...(this.supervisor.subscriptionsOf(agent.name).get(handler.name) ?? [])],
        })),
        feeds: agent.hostedFeeds,
        sinks: agent.hostedSinks,
      })),
      feeds: plan.feeds.map((feed) => ({
        name: feed.name,
        type: feed.type,
        broadcast: feed.broadcast,
        host: feed.host,
        subscribers: rings.filter((r) => r.kind === "feed" && r.name === feed.name).map((r) => r.consumer),
      })),
      sinks: plan.sinks.map((sink) => ({
        name: sink.name,
        type: sink.type,
        host: sink.host,
        writers: rings.filter((r) => r.kind === "sink" && r.name === sink.name).map((r) => r.producer),
      })),
      services: this.services(),
      rings,
    };
  }
}
