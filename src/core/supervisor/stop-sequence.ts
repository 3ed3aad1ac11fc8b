/**
 * The ordered, draining stop: feeds stop and close their rings → every handler agent drains its rings →
 * pipes go quiet → handlers stop, then services (values they send still flow) → their sink rings close → sink hosts
 * drain and flush → sinks stop → everything is torn down (feeds, handlers, services, sinks) → each agent says what
 * went wrong in its components (a stop or tearDown that threw, data declared lost) → agent threads end.
 * Nothing accepted before the stop is lost; every step that fails or times out, and every problem an
 * agent names, is in the report and makes it unclean.
 * An agent the watchdog reports unresponsive (before or during the stop) is given up on at once: waiting
 * for it could only end in a timeout. A step that takes long logs whom it waits for.
 *
 * The whole sequence is bounded by `shutdownTimeoutMs`: each step waits at most what is left of it (and
 * at most its own timeout), an agent that does not answer in time is given up on, and once nothing is
 * left the remaining steps are skipped. Then the report says what did not finish: the steps skipped, the
 * rings that still held events (and how many), the sinks not flushed and the read pointers not saved.
 * Agents are closed in any case.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import { AgentUnavailableError } from "../agent-endpoint.ts";
import { type ControlRequest, describeRequest, type ReplyTo, type Role, type Wants } from "../protocol.ts";
import type { AgentGroup } from "./agent-group.ts";
import type { RingRegistry } from "./ring-registry.ts";
import { reportSlowWait, seconds, type SlowWaitTiming } from "./slow-wait.ts";

/** A stop step still pending after 1 s says whom it waits for, and again every 5 s. */
const SLOW_STEP: SlowWaitTiming = { firstAfterMs: 1_000, everyMs: 5_000 };

/** What a stop achieved. */
export interface StopReport {
  /** True when every step completed, no component failed to stop or lost data, and every ring was drained. */
  clean: boolean;
  /** Steps that failed or timed out, components whose stop or tearDown threw, data lost; each naming the agent. */
  problems: string[];
  /** Events still in rings when the agents ended (0 after a clean stop). */
  undeliveredEvents: number;
  /**
   * Errors reported while the server ran (handler, sink and feed failures, rate-limited ones included).
   * They do not make the stop unclean: `clean` is about the stop itself and the data it kept.
   */
  errorsReported: number;
  durationMs: number;
}

/** What the stop sequence works with: the supervisor's agents, rings and the few actions only it can take. */
export interface StopContext {
  agents: AgentGroup;
  rings: RingRegistry;
  log: Logger;
  requestTimeoutMs: number;
  drainTimeoutMs: number;
  /** Bound of the whole sequence, closing the agents aside. */
  shutdownTimeoutMs: number;
  /** Feeds that save a read pointer at tear-down (COMMITTED file feeds). */
  committedFeeds: readonly string[];
  /** Connects the rings components asked for (e.g. a handler's first sink in `stop()`), waiting for every attachment in flight. */
  connect(wants: Map<string, Wants>): Promise<void>;
  /** An agent that did not answer in time is given up on: treated as dead (its rings released) and ended. */
  giveUp(agent: string, problem: string): void;
  /** Closes every agent. */
  closeAgents(): Promise<void>;
  /** Errors reported so far (read after the agents closed: they summarize what they held back). */
  errorsReported(): number;
  /** Agents the watchdog reports unresponsive now, with why. */
  unresponsive(): { agent: string; reason: string }[];
}

/**
 * @example
 * ```ts
 * const report = await new StopSequence(context).run();
 * if (!report.clean) console.error(report.problems);
 * ```
 */
export class StopSequence {
  private readonly problems: string[] = [];
  /** Agents given up on: later steps skip them. */
  private readonly givenUp = new Set<string>();
  /** When `shutdownTimeoutMs` runs out. */
  private deadline = Infinity;
  /** Steps not run (or not waited for to the end) because `shutdownTimeoutMs` ran out. */
  private readonly unfinished: string[] = [];

  constructor(private readonly context: StopContext) {}

  async run(): Promise<StopReport> {
    const startedAt = performance.now();
    const { log, drainTimeoutMs, rings, shutdownTimeoutMs } = this.context;
    this.deadline = startedAt + shutdownTimeoutMs;
    log.info("stopping: feeds first, then draining every ring");
    for (const { agent, reason } of this.context.unresponsive()) this.giveUpUnresponsive(agent, reason);
    await this.step({ op: "lifecycle", phase: "stop", role: "feeds" }, "feeds");
    await this.step({ op: "drain", role: "handlers" }, "handlers", drainTimeoutMs);
    if (!await this.pipesQuiet()) this.problems.push(`pipes still carried events after ${drainTimeoutMs} ms (handlers feeding each other?); stopping anyway`);
    const handlersStopped = await this.step({ op: "lifecycle", phase: "stop", role: "handlers" }, "handlers");
    await this.context.connect(handlersStopped);
    const servicesStopped = await this.step({ op: "lifecycle", phase: "stop", role: "services" }, "services");
    await this.context.connect(servicesStopped);
    await this.step({ op: "closeOutputs" }); // every agent: feeds' agents write dead letters too
    await this.step({ op: "drain", role: "sinks" }, "sinks", drainTimeoutMs);
    const sinksStopped = await this.step({ op: "lifecycle", phase: "stop", role: "sinks" }, "sinks");
    const feedsTornDown = await this.step({ op: "lifecycle", phase: "tearDown", role: "feeds" }, "feeds");
    for (const role of ["handlers", "services", "sinks"] as Role[]) await this.step({ op: "lifecycle", phase: "tearDown", role }, role);
    for (const problems of (await this.step({ op: "problems" })).values()) this.problems.push(...problems);
    const undeliveredEvents = rings.ringInfo().reduce((sum, ring) => sum + ring.depth, 0);
    if (this.unfinished.length > 0) this.reportUnfinished(new Set(sinksStopped.keys()), new Set(feedsTornDown.keys()));
    await this.context.closeAgents();
    const problems = this.problems;
    const errorsReported = this.context.errorsReported();
    const durationMs = Math.round(performance.now() - startedAt);
    const report = { clean: problems.length === 0 && undeliveredEvents === 0, problems, undeliveredEvents, errorsReported, durationMs };
    const errors = errorsReported > 0 ? { errorsReported } : {};
    if (report.clean) log.info("stopped", { durationMs, ...errors });
    else {
      // One line each, readable in text logs (the summary line carries them as a list for JSON logs).
      for (const problem of problems) log.error(`stop problem: ${problem}`);
      log.error("stopped with problems", { problems, undeliveredEvents, ...errors });
    }
    return report;
  }

  /**
   * Gives up at once on an agent the watchdog reports unresponsive (stuck in a handler): its rings are
   * released, its request in flight fails now, and later steps skip it.
   */
  giveUpUnresponsive(agent: string, reason: string): void {
    if (this.givenUp.has(agent)) return;
    const problem = `agent "${agent}" is unresponsive (${reason}): given up on without draining, ${this.eventsLeft(agent)} events undelivered`;
    this.problems.push(problem);
    this.giveUp(agent, problem);
  }

  private giveUp(agent: string, problem: string): void {
    this.givenUp.add(agent);
    this.context.giveUp(agent, problem);
  }

  /**
   * Sends a request to every agent hosting `role` (all agents if no role) but those given up on, and
   * records the failures. An agent that does not answer in time is given up on, so one stuck agent costs
   * one timeout, not one per step.
   */
  private async step<R extends ControlRequest>(request: R, role?: Role, timeoutMs = this.context.requestTimeoutMs): Promise<Map<string, ReplyTo<R>>> {
    const { agents } = this.context;
    const targets = agents.hosting(role).filter((agent) => !this.givenUp.has(agent.name));
    const left = this.deadline - performance.now();
    if (left <= 0) {
      if (targets.length > 0) this.unfinished.push(describeRequest(request));
      return new Map();
    }
    const cut = left < timeoutMs;
    const { replies, failures } = await reportSlowWait(agents.ask(request, role, cut ? left : timeoutMs, targets), (waitedMs) => this.stillWaiting(request, waitedMs), SLOW_STEP);
    for (const { agent, reason } of failures) {
      const outOfTime = cut && reason instanceof AgentUnavailableError && reason.timedOut;
      if (outOfTime) {
        this.unfinished.push(`${describeRequest(request)} on agent "${agent.name}"`);
        // The step had all the time that was left: the rest is skipped, even if its timer fired a fraction
        // of a millisecond early (Bun), which let the next steps run in what remained, now and then.
        this.deadline = Math.min(this.deadline, performance.now());
      }
      const problem = `${describeRequest(request)} on agent "${agent.name}": ${outOfTime ? `no answer before shutdownTimeoutMs (${this.context.shutdownTimeoutMs} ms) ran out` : reason.message}`;
      if (reason instanceof AgentUnavailableError && reason.timedOut) this.giveUp(agent.name, problem);
      this.problems.push(problem);
    }
    return replies;
  }

  /**
   * `shutdownTimeoutMs` ran out: one problem naming the steps that did not finish, then one per ring
   * that still held events, per sink whose host did not flush it, and per read pointer not saved.
   */
  private reportUnfinished(sinksStopped: ReadonlySet<string>, feedsTornDown: ReadonlySet<string>): void {
    const { agents, rings, shutdownTimeoutMs, committedFeeds } = this.context;
    this.problems.push(`shutdown did not finish within shutdownTimeoutMs (${shutdownTimeoutMs} ms): ${this.unfinished.join(", ")} did not complete`);
    for (const ring of rings.ringInfo()) {
      if (ring.depth > 0) this.problems.push(`${ring.kind} ring "${ring.name}" from "${ring.producer}" to agent "${ring.consumer}" still held ${ring.depth.toLocaleString("en-US")} events`);
    }
    for (const agent of agents.all()) {
      if (!sinksStopped.has(agent.name)) {
        for (const sink of agent.plan.hostedSinks) this.problems.push(`sink "${sink}" on agent "${agent.name}" was not flushed: values it held were not written`);
      }
      if (!feedsTornDown.has(agent.name)) {
        for (const feed of agent.plan.hostedFeeds.filter((name) => committedFeeds.includes(name))) {
          this.problems.push(`feed "${feed}" on agent "${agent.name}" did not save its read pointer at stop: the lines after its last saved position are delivered again at the next start`);
        }
      }
    }
  }

  private stillWaiting(request: ControlRequest, waitedMs: number): void {
    for (const { agent } of this.context.agents.unanswered(request)) {
      const left = request.op === "drain" ? `, ${this.eventsLeft(agent.name)} events left` : "";
      this.context.log.warn(`stop waiting for agent "${agent.name}" to ${describeRequest(request)} (${seconds(waitedMs)}${left})`, { agent: agent.name });
    }
  }

  /** Events in the rings `agent` consumes. */
  private eventsLeft(agent: string): number {
    return this.context.rings.ringInfo().filter((ring) => ring.consumer === agent).reduce((sum, ring) => sum + ring.depth, 0);
  }

  /**
   * Pipes close only after their writers (handlers) stop, so they cannot be drained like feeds. Once the
   * feeds are drained, pipes carry only what handlers derive; wait until every pipe ring and local pipe
   * queue is empty and no pipe event was published between two looks.
   */
  private async pipesQuiet(): Promise<boolean> {
    const { agents, rings, drainTimeoutMs, requestTimeoutMs } = this.context;
    if (!rings.hasPipes) return true;
    const deadline = Math.min(performance.now() + drainTimeoutMs, this.deadline);
    let lastPublished = -1;
    while (performance.now() < deadline) {
      const stats = rings.pipeRingStats();
      const published = stats.reduce((sum, s) => sum + s.publishedEvents, 0);
      const { replies } = await agents.ask({ op: "pipesQuiet" }, "handlers", requestTimeoutMs);
      const quiet = [...replies.values()].every((empty) => empty) && stats.every((s) => s.depth === 0);
      if (quiet && published === lastPublished) return true;
      lastPublished = quiet ? published : -1;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return false;
  }
}
