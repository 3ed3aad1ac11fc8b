/**
 * Control messages between the supervisor and its agents. Control travels by postMessage (or a direct
 * call for inline agents); events never do: they travel through rings.
 *
 * @module
 */
import type { AgentPlan, EventTypePlan, FeedPlan, HandlerPlan, JournalPlan, ServiceLocation, ServicePlan, SinkPlan, TracingPlan } from "../plan/types.ts";
import type { ErrorReport } from "./errors.ts";
import type { LogSettings } from "../log/log.ts";
import type { CommandFailure } from "./commands/command-error.ts";
import type { JsonValue } from "./commands/json-value.ts";
import type { TuningChange } from "../plan/tuning.ts";

/** Engine tuning shared by all agents. */
export interface Tuning {
  /** Most events taken from one ring per duty cycle. */
  batchSize: number;
  /** Longest busy stretch before an agent returns to its event loop. */
  sliceMs: number;
  /** Longest single park (keeps heartbeats and event-loop turns coming). */
  maxParkMs: number;
  /** How long a producer on the supervisor's thread waits for ring space before giving up. */
  offerTimeoutMs: number;
  /** False: inline agents' parks do not hold the process open (the server's `keepAlive: false`). */
  keepAlive: boolean;
}

/** Everything an agent needs to start. Sent once, as the first message to a worker. */
export interface AgentBoot {
  plan: AgentPlan;
  /**
   * A random id of this server instance (one boot of one server), the same for all its agents: read
   * pointer locks record it, so a restarted agent's feed takes back only its own server's lock.
   */
  serverId: string;
  /** The server's fixed-layout event types, with their codec ids. */
  eventTypes: EventTypePlan[];
  /** All feeds and sinks of the server (to validate names and know which feeds broadcast). */
  feeds: FeedPlan[];
  sinks: SinkPlan[];
  /** Where every service of the server lives (to answer `ctx.service` for services hosted elsewhere). */
  services: ServiceLocation[];
  /** The sink receiving dead letters, if one is configured. */
  deadLetter?: string;
  /** Ring ends the plan already knows (broadcast feeds), attached before the host's components start. */
  endpoints: Endpoint[];
  /** One 64-bit counter per pipe (in the order of the pipe feeds in `feeds`): the pipe's shared sequence. */
  pipeSequences: SharedArrayBuffer;
  epochOriginMs: number;
  signals: SharedArrayBuffer;
  counters: SharedArrayBuffer;
  /** Latency recording: one event in `sampleEvery` per handler, into `block` (the plan's handlers in order); absent when off. */
  latency?: { sampleEvery: number; block: SharedArrayBuffer };
  /** The server's journal; absent when nothing is journaled. */
  journal?: JournalPlan;
  /** The server's `tracing:`; absent when off (nothing is read, carried or written). */
  tracing?: TracingPlan;
  log: LogSettings;
  tuning: Tuning;
  /**
   * A Web Lock the worker holds for as long as its thread lives, so the supervisor learns of its end
   * where the runtime raises no exit event (a Deno `Worker` that calls `process.exit` or `close()`).
   * Absent where `navigator.locks` is missing (Bun, which raises a `close` event instead).
   */
  lifeLock?: string;
  /**
   * How many times this agent has been restarted; above 0 its rings already carry events, so it takes
   * none until its components have started again (the last lifecycle step, feeds' startComplete).
   */
  restart?: number;
}

/** Component groups, started in this order and stopped in reverse. */
export type Role = "sinks" | "services" | "handlers" | "feeds";
export type LifecyclePhase = "init" | "start" | "startComplete" | "stop" | "tearDown";

/** One end of a ring handed to an agent. */
export type Endpoint =
  | { kind: "feedConsumer"; feed: string; ring: SharedArrayBuffer }
  | { kind: "feedProducer"; feed: string; ring: SharedArrayBuffer; consumerAgent: string; consumerSignals: SharedArrayBuffer }
  | { kind: "sinkConsumer"; sink: string; ring: SharedArrayBuffer; producerAgent: string }
  | { kind: "sinkProducer"; sink: string; ring: SharedArrayBuffer; consumerSignals: SharedArrayBuffer };

/** Requests the supervisor sends; each gets exactly one reply, typed by {@link ControlReplies}. */
export type ControlRequest =
  | { op: "lifecycle"; phase: LifecyclePhase; role: Role }
  | { op: "attach"; endpoints: Endpoint[] }
  /** Reply once every inbound ring of that role (pipes excepted) is closed by its producer and fully consumed. */
  | { op: "drain"; role: "handlers" | "sinks" }
  /**
   * Reply with whether every pipe ring into the agent and its local pipe queue are empty right now (pipes
   * close only after the handlers stop, so the supervisor polls for quiet instead of draining them).
   */
  | { op: "pipesQuiet" }
  /** Publish and close every outbound ring (after the handlers stopped). */
  | { op: "closeOutputs" }
  /** Answer clock pings on `buffer` until the supervisor is done (see time/clock-calibration.ts). */
  | { op: "calibrateClock"; buffer: SharedArrayBuffer }
  /** Correct the agent's clock by the offset the supervisor measured. */
  | { op: "correctClock"; offsetNanos: number }
  /** Reply with the status of every feed hosted on the agent. */
  | { op: "status" }
  /**
   * Reply with what makes the stop unclean on the agent (asked after the last tearDown): components whose
   * stop or tearDown threw, and data components declared lost, e.g. `sink "out" on agent "io" lost 12 values: …`.
   */
  | { op: "problems" }
  /** Run the admin command `name` that `handler` registered, between events; reply with its outcome. */
  | { op: "command"; handler: string; name: string; args?: JsonValue }
  /** Stop the duty cycle; the agent is finished. */
  | { op: "close" }
  // ---- runtime registration (see supervisor/registration.ts): one component at a time ----
  /** Load a handler registered at runtime; `counters` and `latency` (absent when recording is off) are its own blocks. */
  | { op: "addHandler"; handler: HandlerPlan; counters: SharedArrayBuffer; latency?: SharedArrayBuffer }
  /** Run one lifecycle phase on one runtime-registered handler or hosted feed; reply with the rings it asked for. */
  | { op: "componentPhase"; kind: "handler" | "feed"; name: string; phase: LifecyclePhase }
  /** Forget a stopped handler; reply with the feeds no handler on the agent receives any more. */
  | { op: "removeHandler"; handler: string }
  /** Learn of a feed added at runtime; handlers subscribe to it from now on (every handler, if it broadcasts). */
  | { op: "knowFeed"; feed: FeedPlan }
  /** Build and host a feed added at runtime; `counters` is its own block. */
  | { op: "hostFeed"; feed: FeedPlan; counters: SharedArrayBuffer }
  /** Forget a hosted feed that was stopped and torn down. */
  | { op: "unhostFeed"; feed: string }
  /** Close the ring this agent publishes `feed` into for `consumerAgent` (its handlers no longer receive it). */
  | { op: "detachRing"; feed: string; consumerAgent: string }
  /** Reply once every ring of `feed` into this agent is closed and consumed, then drop those rings. */
  | { op: "dropInbound"; feed: string }
  /** Drop the rings of a removed feed (as dropInbound) and forget the feed: handlers' subscriptions to it end. */
  | { op: "forgetFeed"; feed: string }
  /**
   * Merge `patch` into handler `handler`'s configMap (a `null` value removes the key), check it against
   * the keys the handler requires, and call its `onConfigChange`; a rejected update leaves the old config.
   */
  | { op: "updateConfig"; handler: string; patch: Record<string, unknown> }
  /**
   * A service registered at runtime: `plan` is set on the agents that get an instance (built, inited,
   * started, then handlers told through `onServiceRegistered`); the others only learn where it lives.
   */
  | { op: "addService"; location: ServiceLocation; plan?: ServicePlan }
  /** A service removed at runtime: handlers told through `onServiceDeregistered`, then it stops and is torn down. */
  | { op: "removeService"; name: string }
  /** Apply one runtime tuning change between duty cycles (see plan/tuning.ts); reply once it is in effect. */
  | { op: "tune"; change: TuningChange };

/** The operation names of {@link ControlRequest}. */
export type ControlOp = ControlRequest["op"];

/**
 * What each request is answered with. Extending `Record<ControlOp, unknown>` makes a request without a
 * reply type a compile error, so neither side ever casts a reply.
 */
export interface ControlReplies extends Record<ControlOp, unknown> {
  /** Rings the agent's components asked for during the phase (subscriptions, sinks written to). */
  lifecycle: Wants;
  attach: void;
  drain: void;
  pipesQuiet: boolean;
  closeOutputs: void;
  calibrateClock: void;
  correctClock: void;
  status: FeedStatusEntry[];
  problems: string[];
  command: CommandOutcome;
  close: void;
  addHandler: void;
  componentPhase: Wants;
  /** Feeds whose rings into the agent no handler there needs any more. */
  removeHandler: string[];
  knowFeed: Wants;
  hostFeed: void;
  unhostFeed: void;
  detachRing: void;
  dropInbound: void;
  forgetFeed: void;
  updateConfig: ConfigUpdateReply;
  /** Rings the new service asked for while it started. */
  addService: Wants;
  removeService: void;
  tune: void;
}

/** The outcome of a config update on the handler's agent: the whole new config, or why it was rejected. */
export type ConfigUpdateReply = { applied: true; config: Record<string, unknown> } | { applied: false; reason: string };

/**
 * The reply type of one request.
 *
 * @example
 * ```ts
 * const feeds: ReplyTo<{ op: "status" }> = await agent.request({ op: "status" }, 1_000); // FeedStatusEntry[]
 * ```
 */
export type ReplyTo<R extends ControlRequest> = ControlReplies[R["op"]];

/**
 * Rings an agent's components need that the plan could not know in advance: feeds its handlers subscribed
 * to with `ctx.subscribe`, sinks and pipes they write to with `ctx.sink`. Collected during a lifecycle
 * phase and returned in its reply, or sent as one `wants` event when asked for later.
 */
export interface Wants {
  subscriptions: { handler: string; feed: string }[];
  sinks: string[];
}

/** What a handler's admin command answered: its JSON result, or why it failed. */
export type CommandOutcome = { ok: true; value: JsonValue } | { ok: false; failure: CommandFailure };

/** An admin command a handler registered with `ctx.registerCommand`, as the supervisor lists it. */
export interface HandlerCommandInfo {
  name: string;
  description: string;
  usage: string;
}

/** How one feed is doing. */
export interface FeedStatusEntry {
  /** The feed's name, or the sink's when `kind` is `sink`. */
  feed: string;
  /** `sink` for a sink that reports its connection (e.g. a NATS sink); absent for a feed. */
  kind?: "sink";
  agent: string;
  /** False while its source is unavailable (e.g. a file that does not exist yet). */
  connected: boolean;
  detail?: string;
  /** The feed declared it has nothing more to publish (e.g. a file read once). */
  completed: boolean;
  /** Agents whose handlers receive this feed; a feed with none stays idle. */
  subscribers: number;
}

/** A short name for a request in messages, e.g. "init handlers" or "drain sinks". */
export function describeRequest(request: ControlRequest): string {
  if (request.op === "lifecycle") return `${request.phase} ${request.role}`;
  if (request.op === "drain") return `drain ${request.role}`;
  if (request.op === "componentPhase") return `${request.phase} ${request.kind} "${request.name}"`;
  if (request.op === "addService") return `add service "${request.location.name}"`;
  if (request.op === "removeService") return `remove service "${request.name}"`;
  return request.op;
}

/** Why a lifecycle step failed. */
export interface ComponentFailure {
  component: string;
  phase: string;
  message: string;
  stack?: string;
}

/** A lifecycle step that failed, carried back to the supervisor as a rejected request. */
export class ComponentFailureError extends Error {
  constructor(readonly failure: ComponentFailure) {
    super(`${failure.component} failed during ${failure.phase}: ${failure.message}`);
    this.name = "ComponentFailureError";
  }
}

/** Messages an agent sends on its own initiative. */
export type AgentEvent =
  /** Rings asked for outside a lifecycle phase (e.g. a handler's first `ctx.sink()` in `onEvent`). */
  | { event: "wants"; wants: Wants }
  | { event: "error"; report: ErrorReport }
  /** A handler registered admin commands, or they went away (its stop or removal). */
  | { event: "commands"; handler: string; registered: HandlerCommandInfo[]; unregistered: string[] }
  /**
   * What became of the plan's `coreId`, sent before the boot reply: `core` is set only if the thread is
   * now pinned to it; `detail` says so for people ("pinned to CPU 1 (tid 12345)" or "not pinned: why").
   */
  | { event: "pinning"; core?: number; detail: string }
  /** The agent's own machinery broke (not a handler): it cannot go on. */
  | { event: "fatal"; message: string; stack?: string };

/** Worker → supervisor envelope. */
export type AgentMessage =
  | { reply: number; ok: true; value?: unknown }
  | { reply: number; ok: false; failure: ComponentFailure }
  | AgentEvent;

/** Supervisor → worker envelope. */
export type SupervisorMessage =
  | { type: "boot"; boot: AgentBoot }
  | { type: "request"; id: number; request: ControlRequest };
