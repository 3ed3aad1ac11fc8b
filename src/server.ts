/**
 * `MongooseServer`: the embedding API. Boot from a configuration object, YAML text or a YAML file (the
 * same keys), offer values into memory feeds, read memory sinks, watch errors and counters, run admin
 * commands, stop gracefully.
 *
 * @module
 */
import process from "node:process";
import { ConfigError } from "./config/config-error.ts";
import { buildPlan, defaultAdminPlan, type PlanOptions } from "./config/plan.ts";
import { type AdminServer, startAdminServer } from "./admin/admin-server.ts";
import type { AdminTarget } from "./admin/admin-target.ts";
import type { AuditVia } from "./admin/audit/audit-log.ts";
import { SUPERVISOR_AGENT } from "./plan/types.ts";
import { preflight } from "./config/preflight.ts";
import { pluginVersions } from "./config/plugin-versions.ts";
import { CONFIG_SCHEMA_VERSION, ENGINE_VERSION, PLUGIN_API_VERSION, type PluginVersion } from "./plan/versions.ts";
import { type FeedRegistration, type HandlerRegistration, planFeedAddition, planHandlerAddition, type RegistrationOptions } from "./config/runtime-plan.ts";
import { type LoadedConfig, loadYamlConfig, parseYamlConfig } from "./config/yaml-loader.ts";
import type { MongooseConfig, ServiceConfig } from "./config/schema.ts";
import { parseService } from "./config/service-entry.ts";
import { registerBuiltIns } from "./core/commands/built-ins.ts";
import { registerManagementCommands } from "./core/commands/management-commands.ts";
import { registerTuningCommands } from "./core/commands/tuning-commands.ts";
import { RuntimeTuner } from "./core/supervisor/runtime-tuner.ts";
import { parseIdleStrategy, readTuningOverlay, writeTuningOverlay } from "./config/tuning-overlay.ts";
import type { HandlerPausePolicy, TuningOverlay } from "./plan/tuning.ts";
import type { IdleStrategySpec } from "./agent/idle-strategy.ts";
import type { FullRingPolicy } from "./transport/full-ring-policy.ts";
import { type CommandInfo, CommandRegistry } from "./core/commands/command-registry.ts";
import type { JsonValue } from "./core/commands/json-value.ts";
import { circuitStateOf } from "./core/circuit-breaker.ts";
import type { CounterSample } from "./core/counters.ts";
import type { LatencyQuery, LatencySummary } from "./core/latency/latency-report.ts";
import { checkEnvironment } from "./core/environment-check.ts";
import { type ErrorReport, UnknownComponentError } from "./core/errors.ts";
import type { LocalComponents } from "./core/agent-endpoint.ts";
import { ThreadLauncher } from "./core/launcher.ts";
import type { FeedStatusEntry, Tuning } from "./core/protocol.ts";
import type { PublishOptions } from "./core/plugin-api.ts";
import { ServerKeepAlive } from "./core/keep-alive.ts";
import { MemorySink } from "./core/sinks/memory-sink.ts";
import type { AgentStatus } from "./core/supervisor/agent-health.ts";
import type { Registered } from "./core/supervisor/registration.ts";
import type { ConfigUpdateResult, ReloadReport } from "./core/supervisor/config-updates.ts";
import type { RingInfo } from "./core/supervisor/ring-registry.ts";
import type { ServiceInfo } from "./core/supervisor/service-registrar.ts";
import type { StopReport } from "./core/supervisor/stop-sequence.ts";
import { Supervisor } from "./core/supervisor/supervisor.ts";
import { AGENT_WORKER_URL } from "./entry-urls.ts";
import { createLogger, type LogFormat, type LogLevel } from "./log/log.ts";
import type { AgentPlan, ServerPlan } from "./plan/types.ts";
import { runtime } from "./runtime/mod.ts";
import type { Health, Topology } from "./core/supervisor/server-views.ts";

export type { Health, Topology } from "./core/supervisor/server-views.ts";

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
  /** Longest wait for an agent to drain its rings while stopping (default 30 s), within `shutdownTimeoutMs`. */
  drainTimeoutMs?: number;
  /**
   * Bound of the whole stop: feeds stopped, rings drained, sinks flushed, read pointers saved (default
   * the configuration's `shutdownTimeoutMs`, else 30 s). When it runs out, the stop ends its agents and
   * reports what did not finish; the stop is not clean.
   */
  shutdownTimeoutMs?: number;
  /** A worker agent whose heartbeat stops for this long is reported unresponsive (default 5 s). */
  unresponsiveAfterMs?: number;
  /** The running server holds the process open until `stop()` (default true); false: the program may end while it runs. */
  keepAlive?: boolean;
  /**
   * Start the admin HTTP server (127.0.0.1:8080) when the configuration has no `admin` key, as
   * `mongoose run` does (default false: an embedded server serves admin only when `admin` is given).
   */
  adminByDefault?: boolean;
  /** Longest wait for an admin command's result before its caller gets a timeout error (default 10 s). */
  commandTimeoutMs?: number;
  /**
   * The tuning overlay file (see config/tuning-overlay.ts): applied over the configuration once the server
   * started, if it exists, and written by {@link MongooseServer.persistTuning}. `mongoose run app.yaml`
   * uses `app.tuning.yaml`; an embedded server has none unless given.
   */
  tuningOverlay?: string;
  /**
   * Aborts the boot: requests in flight are abandoned, worker agents stuck in a step are terminated, what
   * started is stopped, and the boot rejects with BootError. No effect once the boot has resolved.
   */
  signal?: AbortSignal;
}

/** A feed the embedding program publishes into. */
export interface FeedHandle {
  readonly name: string;
  /**
   * Publishes a value to every subscribed handler; returns its sequence number. With `tracing:`
   * configured, `options.traceparent` (a W3C trace context, e.g. from an HTTP request) travels with it.
   */
  offer(value: unknown, options?: Pick<PublishOptions, "traceparent">): number;
}

/** A paused handler's topology entry: how it is paused. */
function pausedAs(policy: HandlerPausePolicy | undefined): { paused?: HandlerPausePolicy } {
  return policy === undefined ? {} : { paused: policy };
}

/** A configuration read by the YAML loader (its folder and locator travel with it), not a configuration object. */
/** What {@link MongooseServer.reloadConfig} reads: a YAML file, a loaded one, a function loading one, or a configuration. */
export type ReloadSource = string | LoadedConfig | (() => LoadedConfig) | MongooseConfig;

function isLoaded(source: LoadedConfig | MongooseConfig): source is LoadedConfig {
  return "baseDir" in source && "config" in source;
}

const DEFAULTS = {
  batchSize: 256,
  sliceMs: 5,
  maxParkMs: 100,
  offerTimeoutMs: 30_000,
  ringCapacity: 256 * 1024,
  requestTimeoutMs: 30_000,
  drainTimeoutMs: 30_000,
  shutdownTimeoutMs: 30_000,
  unresponsiveAfterMs: 5_000,
  commandTimeoutMs: 10_000,
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
export class MongooseServer implements AdminTarget {
  private stopping: Promise<StopReport> | undefined;
  /** The supervisor's own agent: it hosts the memory feeds and memory sinks the embedding program uses. */
  private readonly supervisorHost: LocalComponents;
  /** The YAML file the server was booted from, which {@link MongooseServer.reloadConfig} reads again by default. */
  private configFile: string | undefined;

  private constructor(
    private readonly supervisor: Supervisor,
    launcher: ThreadLauncher,
    private readonly keepAlive: ServerKeepAlive,
    private readonly commandRegistry: CommandRegistry,
    /** How handlers and feeds registered at runtime are planned: module paths resolve against the configuration's folder. */
    private readonly registration: RegistrationOptions,
    /** The options it was booted with: a reloaded configuration is planned with the same ones. */
    private readonly options: ServerOptions,
    /** The admin HTTP server, when it runs. */
    private readonly admin: AdminServer | undefined,
    /** The plugin modules it booted with and what they declare. */
    private readonly plugins: PluginVersion[],
    /** What is tuned at runtime, away from the configuration. */
    private readonly tuner: RuntimeTuner,
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
  private static async bootPlan(plan: ServerPlan, options: ServerOptions, baseDir = options.baseDir ?? process.cwd()): Promise<MongooseServer> {
    checkEnvironment(plan);
    // Before anything starts: a plugin built for another plugin API is refused here (a ConfigError).
    const plugins = await pluginVersions(plan);
    const log = { level: options.logLevel ?? "info", format: options.logFormat ?? "text" } as const;
    const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    const launcher = new ThreadLauncher(runtime, AGENT_WORKER_URL, requestTimeoutMs);
    const logger = createLogger(log, { agent: SUPERVISOR_AGENT });
    const commands = new CommandRegistry({
      timeoutMs: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
      lateReply: (command, owner, outcome) => logger.warn("admin command answered after its timeout; reply dropped", { command, owner, outcome }),
    });
    // Registered before boot, so a handler's command that clashes with a built-in is refused from the start.
    let server: MongooseServer | undefined;
    registerBuiltIns(commands, {
      topology: () => server!.topology(),
      feedStatus: () => server!.feedStatus(),
      stop: () => server!.stop(),
      stopFailed: (thrown) => logger.error("stop requested by the quit command failed", { cause: String(thrown) }),
      resetLatency: () => server!.resetLatency(),
    });
    registerManagementCommands(commands, {
      updateConfig: (handler, patch) => server!.updateConfig(handler, patch),
      addHandler: (registration) => server!.addHandler(registration as unknown as HandlerRegistration),
      removeHandler: (path) => server!.removeHandler(path),
      addFeed: (entry) => server!.addFeed(entry as unknown as FeedRegistration),
      removeFeed: (name) => server!.removeFeed(name),
      services: () => server!.services(),
      addService: (entry) => server!.addService(entry as unknown as ServiceConfig),
      removeService: (name) => server!.removeService(name),
    });
    registerTuningCommands(commands, {
      setIdleStrategy: (agent, spec) => server!.setIdleStrategy(agent, spec as IdleStrategySpec),
      setBatchSize: (agent, size) => server!.setBatchSize(agent, size),
      setOnFull: (feed, agent, policy) => server!.setOnFull(feed, agent, policy),
      pauseFeed: (feed) => server!.pauseFeed(feed),
      resumeFeed: (feed) => server!.resumeFeed(feed),
      pauseHandler: (handler, policy) => server!.pauseHandler(handler, policy),
      resumeHandler: (handler) => server!.resumeHandler(handler),
      tuning: () => server!.tuning(),
      resetTuning: () => server!.resetTuning(),
      persistTuning: () => server!.persistTuning(),
    });
    // Read before anything starts: a broken overlay file fails the boot like a broken configuration.
    const overlay = options.tuningOverlay === undefined ? undefined : readTuningOverlay(options.tuningOverlay);
    const supervisor = new Supervisor(plan, {
      log,
      logger,
      launcher,
      commands,
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
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? plan.shutdownTimeoutMs ?? DEFAULTS.shutdownTimeoutMs,
      unresponsiveAfterMs: options.unresponsiveAfterMs ?? DEFAULTS.unresponsiveAfterMs,
    });
    const adminSettings = plan.admin === undefined ? (options.adminByDefault ? defaultAdminPlan() : undefined) : plan.admin || undefined;
    // Listening before the agents start: a port in use fails the boot with nothing started.
    const admin = adminSettings && await startAdminServer(() => server, adminSettings, runtime, logger);
    try {
      await supervisor.boot(options.signal);
    } catch (error) {
      await admin?.close();
      throw error;
    }
    const tuner = new RuntimeTuner({
      plan: () => supervisor.plan,
      defaultBatchSize: options.batchSize ?? DEFAULTS.batchSize,
      rings: () => supervisor.ringInfo(),
      send: (agent, change) => supervisor.tune(agent, change),
    });
    supervisor.retune = (agent, stage) => tuner.retune(agent, stage);
    server = new MongooseServer(supervisor, launcher, new ServerKeepAlive(options.keepAlive ?? true), commands, { baseDir, inline: options.inline ?? false }, options, admin, plugins, tuner);
    if (overlay) {
      const skipped = await tuner.apply(overlay);
      for (const reason of skipped) logger.warn("tuning overlay setting skipped: it no longer fits the configuration", { overlay: options.tuningOverlay, reason });
      logger.info("tuning overlay applied", { overlay: options.tuningOverlay, tuned: tuner.overlay() });
    }
    return server;
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
    const server = await MongooseServer.bootPlan(plan, options, loaded.baseDir);
    server.configFile = loaded.path;
    return server;
  }

  /**
   * Adds a handler while the server runs, to an existing agent or to a new one (a worker, or inline when
   * the server runs inline or the handler is given in-process; `idleStrategy` applies to a new agent). It
   * starts like a handler from the configuration (init, start, startComplete; subscriptions made in
   * start and broadcast feeds are wired) and receives every event published after this resolves.
   * Rejects with ConfigError (bad keys, duplicate name) or RegistrationError (a module that fails to
   * load, a stop in progress…), the server unchanged. Changes run one at a time.
   *
   * @example
   * ```ts
   * await server.addHandler({ agentName: "audit-agent", name: "audit", handler: "./audit.ts", configMap: { level: 2 } });
   * ```
   */
  addHandler(registration: HandlerRegistration): Promise<Registered> {
    return this.supervisor.addHandler((plan) => planHandlerAddition(registration, plan, this.registration));
  }

  /**
   * Removes a handler while the server runs: `stop` and `tearDown` run on its agent, it receives nothing
   * more, rings only it needed are drained and closed (other handlers lose nothing), and its counters and
   * topology entry are gone. Name it `("agent", "handler")` or `("agent/handler")`.
   *
   * @example
   * ```ts
   * await server.removeHandler("audit-agent/audit");
   * ```
   */
  removeHandler(agentOrPath: string, handler?: string): Promise<void> {
    if (handler !== undefined) return this.supervisor.removeHandler(agentOrPath, handler);
    const slash = agentOrPath.indexOf("/");
    if (slash < 0) return Promise.reject(new UnknownComponentError(`cannot remove handler "${agentOrPath}": name it "agent/handler" or give the agent and the handler`));
    return this.supervisor.removeHandler(agentOrPath.slice(0, slash), agentOrPath.slice(slash + 1));
  }

  /**
   * Adds a feed while the server runs: the keys of an `eventFeeds` entry, checked by the same schema.
   * It is hosted where its type says (memory feeds on the supervisor's thread, so `offer` works; others on
   * their agent, started if new); handlers subscribe to it from then on, and a broadcast feed reaches every
   * handler at once.
   *
   * @example
   * ```ts
   * await server.addFeed({ name: "late-prices", type: "memory", broadcast: true });
   * server.offer("late-prices", 42);
   * ```
   */
  addFeed(entry: FeedRegistration): Promise<Registered> {
    return this.supervisor.addFeed((plan) => planFeedAddition(entry, plan, this.registration));
  }

  /**
   * Removes a feed while the server runs: it stops, what it published is still delivered, then its rings
   * close and every subscription to it ends.
   *
   * @example
   * ```ts
   * await server.removeFeed("late-prices");
   * ```
   */
  removeFeed(name: string): Promise<void> {
    return this.supervisor.removeFeed(name);
  }

  /**
   * Changes the `configMap` of one handler, named `handler` or `agent/handler`, while it runs: `patch` is
   * merged in (a `null` value removes its key), checked against the keys the handler requires, and handed
   * to its `onConfigChange` on its own agent, between events. A rejected update leaves the old config.
   *
   * @example
   * ```ts
   * const result = await server.updateConfig("processor/pnl", { threshold: 10 });
   * if (!result.ok) console.error(result.error); // e.g. 'required config key "currency" is missing from its configMap'
   * ```
   */
  updateConfig(handler: string, patch: Record<string, unknown>): Promise<ConfigUpdateResult> {
    return this.supervisor.updateConfig(handler, patch);
  }

  /**
   * Reads the configuration again (by default the YAML file the server was booted from; or another file,
   * a configuration the YAML loader read, a function that reads the booted file again (a read that throws
   * is reported like an invalid file), or a configuration object) and compares it with the running one: `configMap` differences are applied
   * live as by {@link MongooseServer.updateConfig}; every other difference is listed as needing a restart
   * and ignored. An invalid configuration changes nothing and is reported in `errors`. With `admin.auditLog`
   * set, the reload and its report are audited (`via`: `embedding` unless told, e.g. `signal` for SIGHUP).
   *
   * @example
   * ```ts
   * const { applied, rejected, needsRestart, errors } = await server.reloadConfig();
   * ```
   */
  async reloadConfig(source: ReloadSource | undefined = this.configFile, options: { via?: AuditVia } = {}): Promise<ReloadReport> {
    const started = performance.now();
    const audit = (outcome: { ok: boolean; error?: string; report?: unknown }) =>
      this.admin?.audit?.record({
        via: options.via ?? "embedding",
        command: "reload",
        args: { file: typeof source === "string" ? source : typeof source === "function" ? this.configFile : source && isLoaded(source) ? source.path : undefined },
        outcome: { ...outcome, durationMs: Math.round((performance.now() - started) * 1000) / 1000 },
      });
    try {
      const report = await this.reload(source);
      audit({
        ok: report.errors.length === 0 && report.rejected.length === 0,
        ...(report.errors.length > 0 && { error: report.errors.join("; ") }),
        // Which handlers changed, not their new maps: a configMap may hold a secret.
        report: { applied: report.applied.map((c) => `${c.agent}/${c.handler}`), rejected: report.rejected.map((c) => ({ handler: `${c.agent}/${c.handler}`, error: c.error })), needsRestart: report.needsRestart },
      });
      return report;
    } catch (thrown) {
      audit({ ok: false, error: (thrown as Error).message ?? String(thrown) });
      throw thrown;
    }
  }

  private async reload(given: ReloadSource | undefined): Promise<ReloadReport> {
    const failed = (errors: string[]): ReloadReport => ({ applied: [], rejected: [], needsRestart: [], errors });
    if (given === undefined) return failed(["no configuration file to reload: the server was not booted from one (pass a file or a configuration)"]);
    try {
      const source = typeof given === "function" ? given() : given;
      const loaded = typeof source === "string" ? loadYamlConfig(source) : isLoaded(source) ? source : undefined;
      const plan = loaded
        ? await preflight(loaded.config, { ...this.options, baseDir: loaded.baseDir, locate: loaded.locate })
        : await preflight(source as MongooseConfig, { ...this.options, baseDir: this.options.baseDir ?? process.cwd() });
      return await this.supervisor.reload(plan);
    } catch (error) {
      if (error instanceof ConfigError) return failed(error.problems);
      throw error;
    }
  }

  /** Publishes `value` on the memory feed `feed`; returns its sequence number. See {@link FeedHandle.offer}. */
  offer(feed: string, value: unknown, options?: Pick<PublishOptions, "traceparent">): number {
    return this.feed(feed).offer(value, options);
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
    this.stopping ??= this.keepAlive.releaseAfter(this.supervisor.stop().finally(() => this.admin?.close()));
    return this.stopping;
  }

  /** The admin server's address (e.g. `http://127.0.0.1:8080/`), or undefined when it does not run. */
  get adminUrl(): string | undefined {
    return this.admin?.url;
  }

  /**
   * Runs the admin command `name` (see `help`). Arguments are a JSON value: a list of strings as a command
   * line gives them (`["pnl", "currency=EUR"]`) or an object of named arguments. Resolves with the
   * command's JSON result; rejects with a {@link CommandError} whose `kind` is `unknown` (its message names
   * near matches), `bad-arguments`, `failed` or `timeout` (after `commandTimeoutMs`).
   *
   * @example
   * ```ts
   * console.log(await server.command("help"));
   * const processors = await server.command("server.processors.list");
   * await server.command("quit"); // answers { stopping: true }, then the server stops gracefully
   * ```
   */
  command(name: string, args?: JsonValue): Promise<JsonValue> {
    return this.commandRegistry.invoke(name, args);
  }

  /**
   * Every admin command: built-ins and those handlers registered, by name.
   *
   * @example
   * ```ts
   * for (const { name, usage, owner } of server.commands()) console.log(name, usage, owner);
   * ```
   */
  commands(): CommandInfo[] {
    return this.commandRegistry.list();
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

  /**
   * Every handler's latency since the last reset (or the boot): publish→handle latency and service time,
   * count and percentiles in microseconds, from one event in `latency.sampleEvery` per handler.
   * Undefined when latency recording is off (`latency: {enabled: false}`).
   *
   * @example
   * ```ts
   * const summary = server.latency();
   * for (const h of summary?.handlers ?? []) console.log(`${h.agent}/${h.handler}`, h.latency.p99, h.service.p50); // µs
   * ```
   */
  latency(): LatencySummary | undefined {
    return this.supervisor.latencySummary();
  }

  /**
   * One handler's latency distribution since the last reset, as HdrHistogram's percentile text (`.hgrm`,
   * values in microseconds): `metric` `latency` (default) or `service`; `agent` when the handler's name is
   * on several agents. Throws LatencyLookupError for an unknown or ambiguous handler; undefined when
   * recording is off.
   *
   * @example
   * ```ts
   * writeFileSync("pnl-service.hgrm", server.latencyDistribution("pnl", { metric: "service" }) ?? "");
   * ```
   */
  latencyDistribution(handler: string, query?: LatencyQuery): string | undefined {
    return this.supervisor.latencyDistribution(handler, query);
  }

  /**
   * Starts a new latency interval: what was recorded so far is left out of {@link MongooseServer.latency}
   * from now on (the agents are neither told nor paused). False when recording is off.
   *
   * @example
   * ```ts
   * server.resetLatency();
   * ```
   */
  resetLatency(): boolean {
    return this.supervisor.resetLatency();
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
    return Promise.resolve().then(() => this.supervisor.addService(parseService(config, this.registration.baseDir)));
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

  /**
   * Switches an agent's idle strategy while it runs (e.g. `busySpin` → `backoff` when CPU is contended):
   * `spec` is a name or `{type, …}` as in the configuration. Resolves once the agent applied it, between
   * two duty cycles. Throws ConfigError for a bad spec, UnknownComponentError for an unknown agent.
   *
   * @example
   * ```ts
   * await server.setIdleStrategy("processor", { type: "sleeping", sleepNanos: 100_000 });
   * ```
   */
  async setIdleStrategy(agent: string, spec: IdleStrategySpec | IdleStrategySpec["type"]): Promise<void> {
    await this.tuner.idleStrategy(agent, parseIdleStrategy(spec));
  }

  /**
   * Sets the most events `agent` takes from one ring per duty cycle (lower it to cut latency tails); in
   * effect from its next poll, visible in `mongoose_consumer_batch_size`.
   *
   * @example
   * ```ts
   * await server.setBatchSize("processor", 16);
   * ```
   */
  setBatchSize(agent: string, size: number): Promise<void> {
    return Promise.resolve().then(() => this.tuner.batchSize(agent, size));
  }

  /**
   * Sets the full-ring policy of the ring carrying `feed` into `agent` (a subscription), from the next
   * time that ring is full. A subscriber already disconnected stays disconnected.
   *
   * @example
   * ```ts
   * await server.setOnFull("prices", "processor", "dropOldest");
   * ```
   */
  setOnFull(feed: string, agent: string, policy: FullRingPolicy): Promise<void> {
    return Promise.resolve().then(() => this.tuner.onFull(feed, agent, policy));
  }

  /**
   * Pauses a feed: its agent stops calling its `doWork`, so it reads and publishes nothing (a file feed
   * keeps its position, a NATS feed stops pulling). Memory, pipe and service feeds cannot be paused.
   *
   * @example
   * ```ts
   * await server.pauseFeed("trades");
   * ```
   */
  pauseFeed(feed: string): Promise<void> {
    return Promise.resolve().then(() => this.tuner.pauseFeed(feed, true));
  }

  /**
   * Resumes a paused feed where it stopped.
   *
   * @example
   * ```ts
   * await server.resumeFeed("trades");
   * ```
   */
  resumeFeed(feed: string): Promise<void> {
    return Promise.resolve().then(() => this.tuner.pauseFeed(feed, false));
  }

  /**
   * Pauses a handler's events (`agent/handler`, or a name on one agent only): `hold` (default) stops its
   * agent consuming the rings of the feeds it receives, so nothing is lost and backpressure applies
   * upstream; `drop` counts its events in `handler_paused_dropped_total` instead. Its timers still run.
   *
   * @example
   * ```ts
   * await server.pauseHandler("processor/audit", "drop");
   * ```
   */
  pauseHandler(handler: string, policy: HandlerPausePolicy = "hold"): Promise<void> {
    return Promise.resolve().then(() => this.tuner.pauseHandler(handler, policy));
  }

  /**
   * Delivers to a paused handler again; held rings continue where they stopped.
   *
   * @example
   * ```ts
   * await server.resumeHandler("processor/audit");
   * ```
   */
  resumeHandler(handler: string): Promise<void> {
    return Promise.resolve().then(() => this.tuner.pauseHandler(handler, undefined));
  }

  /**
   * What is tuned away from the configuration, in the overlay file's shape (empty when nothing is).
   *
   * @example
   * ```ts
   * server.tuning(); // { agents: { processor: { batchSize: 16 } } }
   * ```
   */
  tuning(): TuningOverlay {
    return this.tuner.overlay();
  }

  /**
   * Reverts every runtime tuning to the configuration (the overlay file, if any, is left as it is: persist
   * afterwards to empty it). Resolves with what was tuned.
   *
   * @example
   * ```ts
   * const reverted = await server.resetTuning();
   * ```
   */
  resetTuning(): Promise<TuningOverlay> {
    return this.tuner.reset();
  }

  /**
   * Writes what is tuned to the overlay file (`path`, default the `tuningOverlay` option), applied by the
   * next boot; nothing tuned removes the file. Resolves with the path.
   *
   * @example
   * ```ts
   * await server.setBatchSize("processor", 16);
   * await server.persistTuning(); // app.tuning.yaml now holds agents.processor.batchSize: 16
   * ```
   */
  persistTuning(path: string | undefined = this.options.tuningOverlay): Promise<string> {
    return Promise.resolve().then(() => {
      if (path === undefined) throw new UnknownComponentError("no tuning overlay file: boot with the tuningOverlay option (mongoose run uses <config>.tuning.yaml) or give a path");
      writeTuningOverlay(path, this.tuner.overlay());
      return path;
    });
  }

  /** Liveness of every agent. */
  health(): Health {
    const agents = this.supervisor.agentStatus();
    return { live: agents.every((agent) => agent.state === "running" || agent.state === "restarting"), agents };
  }

  /** What runs where and how it is connected. */
  topology(): Topology {
    const plan = this.supervisor.plan;
    const status = new Map(this.supervisor.agentStatus().map((s) => [s.name, s]));
    const rings = this.supervisor.ringInfo();
    const samples = this.counters();
    // A breaker's state is its gauge in shared memory; only components with a circuitBreaker show one.
    const circuit = (configured: unknown, name: string, labels: Record<string, string>) => {
      if (!configured) return {};
      const gauge = samples.find((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
      return { circuit: circuitStateOf(gauge?.value ?? 0) };
    };
    // A NATS feed's or sink's connection is its gauge in shared memory too.
    const connection = (component: { type: string; name: string; host: string }) => {
      if (component.type !== "nats") return {};
      const gauge = samples.find((sample) => sample.name === "nats_connected" && sample.labels.component === component.name && sample.labels.agent === component.host);
      return { connected: gauge?.value === 1 };
    };
    return {
      agents: plan.agents.map((agent) => ({
        name: agent.name,
        mode: agent.mode,
        ...this.agentTuning(agent),
        coreId: agent.coreId,
        pinnedCore: status.get(agent.name)?.pinnedCore,
        pinning: status.get(agent.name)?.pinning,
        state: status.get(agent.name)?.state ?? "unknown",
        restarts: status.get(agent.name)?.restarts,
        handlers: agent.handlers.map((handler) => ({
          name: handler.name,
          subscriptions: [...(this.supervisor.subscriptionsOf(agent.name).get(handler.name) ?? [])],
          ...circuit(handler.circuitBreaker, "handler_circuit_state", { agent: agent.name, handler: handler.name }),
          ...pausedAs(this.tuner.handlerPaused(agent.name, handler.name)),
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
        ...connection(feed),
        ...this.tuner.feedPaused(feed.name) ? { paused: true as const } : {},
      })),
      sinks: plan.sinks.map((sink) => ({
        name: sink.name,
        type: sink.type,
        host: sink.host,
        writers: rings.filter((r) => r.kind === "sink" && r.name === sink.name).map((r) => r.producer),
        ...circuit(sink.circuitBreaker, "sink_circuit_state", { sink: sink.name }),
        ...connection(sink),
      })),
      services: this.services(),
      rings: rings.map((ring) => ring.kind === "feed" && this.tuner.ringTuned(ring.name, ring.consumer) ? { ...ring, tuned: true as const } : ring),
      versions: {
        engine: ENGINE_VERSION,
        runtime: { name: runtime.name, version: runtime.version },
        configSchema: CONFIG_SCHEMA_VERSION,
        pluginApi: PLUGIN_API_VERSION,
        plugins: this.plugins,
      },
    };
  }

  /** An agent's idle strategy and batch size in force, and which are tuned away from the configuration. */
  private agentTuning(agent: AgentPlan): Pick<Topology["agents"][number], "idleStrategy" | "idle" | "batchSize" | "tuned"> {
    const { idleStrategy, batchSize, tuned } = this.tuner.agentTuning(agent);
    return { idleStrategy: idleStrategy.type, idle: idleStrategy, batchSize, ...tuned.length > 0 ? { tuned } : {} };
  }
}
