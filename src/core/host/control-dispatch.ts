/**
 * Answers the supervisor's control requests on an agent: one typed handler per operation, so every
 * request gets the reply type {@link ControlReplies} names for it.
 *
 * @module
 */
import { serveClockCalibration } from "../../time/clock-calibration.ts";
import type { ServerClock } from "../../time/clock.ts";
import type { FeedPlan, HandlerPlan, ServiceLocation, ServicePlan } from "../../plan/types.ts";
import type { JsonValue } from "../commands/json-value.ts";
import type { CommandOutcome, ConfigUpdateReply, ControlOp, ControlReplies, ControlRequest, Endpoint, FeedStatusEntry, LifecyclePhase, ReplyTo, Role, Wants } from "../protocol.ts";
import type { TuningChange } from "../../plan/tuning.ts";
import type { DrainRole } from "./drain-waiters.ts";

/** What control requests act on: the agent host implements it. */
export interface ControlTarget {
  readonly clock: ServerClock;
  runLifecycle(phase: LifecyclePhase, role: Role): Promise<Wants>;
  attach(endpoints: readonly Endpoint[]): void;
  drain(role: DrainRole): Promise<void>;
  pipesQuiet(): boolean;
  closeOutputs(): void;
  feedStatus(): FeedStatusEntry[];
  stopProblems(): string[];
  close(): void;
  runCommand(handler: string, name: string, args: JsonValue | undefined): Promise<CommandOutcome>;
  addHandler(plan: HandlerPlan, counters: SharedArrayBuffer, latency?: SharedArrayBuffer): Promise<void>;
  componentPhase(kind: "handler" | "feed", name: string, phase: LifecyclePhase): Promise<Wants>;
  removeHandler(name: string): string[];
  knowFeed(feed: FeedPlan): Promise<Wants>;
  hostFeed(plan: FeedPlan, counters: SharedArrayBuffer): Promise<void>;
  unhostFeed(name: string): void;
  detachRing(feed: string, consumerAgent: string): void;
  dropInbound(feed: string): Promise<void>;
  forgetFeed(feed: string): Promise<void>;
  updateConfig(handler: string, patch: Record<string, unknown>): ConfigUpdateReply;
  addService(location: ServiceLocation, plan?: ServicePlan): Promise<Wants>;
  removeService(name: string): Promise<void>;
  tune(change: TuningChange): void;
}

type ControlHandlers = { [Op in ControlOp]: (request: Extract<ControlRequest, { op: Op }>) => ControlReplies[Op] | Promise<ControlReplies[Op]> };

/** How long an agent answers clock pings before giving up on the supervisor. */
const CALIBRATION_TIMEOUT_MS = 2_000;

/**
 * The handlers of every control operation for one agent.
 *
 * @example
 * ```ts
 * const dispatch = controlDispatch(host);
 * const feeds = await dispatch({ op: "status" }); // FeedStatusEntry[]
 * ```
 */
export function controlDispatch(host: ControlTarget): <R extends ControlRequest>(request: R) => Promise<ReplyTo<R>> {
  const handlers: ControlHandlers = {
    lifecycle: ({ phase, role }) => host.runLifecycle(phase, role),
    attach: ({ endpoints }) => host.attach(endpoints),
    drain: ({ role }) => host.drain(role),
    pipesQuiet: () => host.pipesQuiet(),
    closeOutputs: () => host.closeOutputs(),
    calibrateClock: ({ buffer }) => serveClockCalibration(buffer, host.clock, CALIBRATION_TIMEOUT_MS),
    correctClock: ({ offsetNanos }) => host.clock.correct(offsetNanos),
    status: () => host.feedStatus(),
    problems: () => host.stopProblems(),
    command: ({ handler, name, args }) => host.runCommand(handler, name, args),
    close: () => host.close(),
    addHandler: ({ handler, counters, latency }) => host.addHandler(handler, counters, latency),
    componentPhase: ({ kind, name, phase }) => host.componentPhase(kind, name, phase),
    removeHandler: ({ handler }) => host.removeHandler(handler),
    knowFeed: ({ feed }) => host.knowFeed(feed),
    hostFeed: ({ feed, counters }) => host.hostFeed(feed, counters),
    unhostFeed: ({ feed }) => host.unhostFeed(feed),
    detachRing: ({ feed, consumerAgent }) => host.detachRing(feed, consumerAgent),
    dropInbound: ({ feed }) => host.dropInbound(feed),
    forgetFeed: ({ feed }) => host.forgetFeed(feed),
    updateConfig: ({ handler, patch }) => host.updateConfig(handler, patch),
    addService: ({ location, plan }) => host.addService(location, plan),
    removeService: ({ name }) => host.removeService(name),
    tune: ({ change }) => host.tune(change),
  };
  // TypeScript cannot correlate `request.op` with the handler's parameter; the mapped type above guarantees it.
  return async <R extends ControlRequest>(request: R) => await (handlers[request.op] as unknown as (request: R) => ReplyTo<R> | Promise<ReplyTo<R>>)(request);
}
