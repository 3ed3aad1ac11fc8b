/**
 * The ordered, draining stop: feeds stop and close their rings → every handler agent drains its rings →
 * pipes go quiet → handlers stop, then services (values they send still flow) → their sink rings close →
 * sink hosts drain and flush → sinks stop → everything is torn down (feeds, handlers, services, sinks) →
 * agent threads end.
 * Nothing accepted before the stop is lost; every step that fails or times out is named in the report.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import { AgentUnavailableError } from "../agent-endpoint.ts";
import { type ControlRequest, describeRequest, type ReplyTo, type Role, type Wants } from "../protocol.ts";
import type { AgentGroup } from "./agent-group.ts";
import type { RingRegistry } from "./ring-registry.ts";

/** What a stop achieved. */
export interface StopReport {
  /** True when every step completed and every ring was drained. */
  clean: boolean;
  /** Steps that failed or timed out, each naming the agent. */
  problems: string[];
  /** Events still in rings when the agents ended (0 after a clean stop). */
  undeliveredEvents: number;
  durationMs: number;
}

/** What the stop sequence works with: the supervisor's agents, rings and the few actions only it can take. */
export interface StopContext {
  agents: AgentGroup;
  rings: RingRegistry;
  log: Logger;
  requestTimeoutMs: number;
  drainTimeoutMs: number;
  /** Connects the rings components asked for (e.g. a handler's first sink in `stop()`), waiting for every attachment in flight. */
  connect(wants: Map<string, Wants>): Promise<void>;
  /** An agent that did not answer in time is given up on: treated as dead (its rings released) and ended. */
  giveUp(agent: string, problem: string): void;
  /** Closes every agent. */
  closeAgents(): Promise<void>;
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

  constructor(private readonly context: StopContext) {}

  async run(): Promise<StopReport> {
    const startedAt = performance.now();
    const { log, drainTimeoutMs, rings } = this.context;
    log.info("stopping: feeds first, then draining every ring");
    await this.step({ op: "lifecycle", phase: "stop", role: "feeds" }, "feeds");
    await this.step({ op: "drain", role: "handlers" }, "handlers", drainTimeoutMs);
    if (!await this.pipesQuiet()) this.problems.push(`pipes still carried events after ${drainTimeoutMs} ms (handlers feeding each other?); stopping anyway`);
    const handlersStopped = await this.step({ op: "lifecycle", phase: "stop", role: "handlers" }, "handlers");
    await this.context.connect(handlersStopped);
    const servicesStopped = await this.step({ op: "lifecycle", phase: "stop", role: "services" }, "services");
    await this.context.connect(servicesStopped);
    await this.step({ op: "closeOutputs" }); // every agent: feeds' agents write dead letters too
    await this.step({ op: "drain", role: "sinks" }, "sinks", drainTimeoutMs);
    await this.step({ op: "lifecycle", phase: "stop", role: "sinks" }, "sinks");
    for (const role of ["feeds", "handlers", "services", "sinks"] as Role[]) await this.step({ op: "lifecycle", phase: "tearDown", role }, role);
    const undeliveredEvents = rings.ringInfo().reduce((sum, ring) => sum + ring.depth, 0);
    await this.context.closeAgents();
    const problems = this.problems;
    const report = { clean: problems.length === 0 && undeliveredEvents === 0, problems, undeliveredEvents, durationMs: Math.round(performance.now() - startedAt) };
    if (report.clean) log.info("stopped", { durationMs: report.durationMs });
    else log.error("stopped with problems", { problems, undeliveredEvents });
    return report;
  }

  /**
   * Sends a request to every agent hosting `role` (all agents if no role) and records the failures. An
   * agent that does not answer in time is given up on, so one stuck agent costs one timeout, not one per step.
   */
  private async step<R extends ControlRequest>(request: R, role?: Role, timeoutMs = this.context.requestTimeoutMs): Promise<Map<string, ReplyTo<R>>> {
    const { replies, failures } = await this.context.agents.ask(request, role, timeoutMs);
    for (const { agent, reason } of failures) {
      const problem = `${describeRequest(request)} on agent "${agent.name}": ${reason.message}`;
      if (reason instanceof AgentUnavailableError && reason.timedOut) this.context.giveUp(agent.name, problem);
      this.problems.push(problem);
    }
    return replies;
  }

  /**
   * Pipes close only after their writers (handlers) stop, so they cannot be drained like feeds. Once the
   * feeds are drained, pipes carry only what handlers derive; wait until every pipe ring and local pipe
   * queue is empty and no pipe event was published between two looks.
   */
  private async pipesQuiet(): Promise<boolean> {
    const { agents, rings, drainTimeoutMs, requestTimeoutMs } = this.context;
    if (!rings.hasPipes) return true;
    const deadline = performance.now() + drainTimeoutMs;
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
