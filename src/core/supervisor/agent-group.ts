/**
 * The launched agents of one server, and requests to many of them at once: every agent hosting a role
 * gets the request in parallel, and the replies and failures come back by agent. The requests not yet
 * answered are known, so a slow step can say whom it waits for and an aborted boot whom to give up on.
 *
 * @module
 */
import type { AgentPlan } from "../../plan/types.ts";
import { type AgentEndpoint, AgentUnavailableError } from "../agent-endpoint.ts";
import type { ControlRequest, ReplyTo, Role } from "../protocol.ts";

/** Whether an agent hosts components of `role`, so lifecycle requests for the role concern it. */
export function hostsRole(plan: AgentPlan, role: Role): boolean {
  // Services receive events like handlers, so their agents are drained with the handlers' agents.
  if (role === "handlers") return plan.handlers.length > 0 || plan.services.length > 0;
  if (role === "services") return plan.services.length > 0;
  if (role === "sinks") return plan.hostedSinks.length > 0;
  // Handlers and services may write to pipes, whose writers start with the feeds.
  return plan.hostedFeeds.length > 0 || plan.handlers.length > 0 || plan.services.length > 0;
}

/**
 * The components of `role` an agent hosts, for people: `handler "h"`, `sinks "a", "b"`.
 *
 * @example
 * ```ts
 * describeComponents(plan, "handlers"); // 'handler "pnl-calculator"'
 * ```
 */
export function describeComponents(plan: AgentPlan, role: Role): string {
  const names = role === "handlers" ? plan.handlers.map((h) => h.name) : role === "sinks" ? plan.hostedSinks : plan.hostedFeeds;
  // An agent asked about feeds may host none: it is asked for its handlers' pipe writers.
  if (names.length === 0) return role === "feeds" ? "pipe writers" : role;
  return `${names.length === 1 ? role.slice(0, -1) : role} ${names.map((name) => `"${name}"`).join(", ")}`;
}

/** A request sent by {@link AgentGroup.ask} that its agent has not answered yet. */
export interface UnansweredRequest {
  agent: AgentEndpoint;
  request: ControlRequest;
}

/** What a request to many agents brought back. */
export interface GroupAnswer<R extends ControlRequest> {
  replies: Map<string, ReplyTo<R>>;
  failures: { agent: AgentEndpoint; reason: Error }[];
}

/**
 * @example
 * ```ts
 * const group = new AgentGroup();
 * group.add(agent);
 * const { replies, failures } = await group.ask({ op: "lifecycle", phase: "init", role: "handlers" }, "handlers", 30_000);
 * ```
 */
export class AgentGroup {
  private readonly agents = new Map<string, AgentEndpoint>();
  private readonly inFlight = new Set<UnansweredRequest>();

  add(agent: AgentEndpoint): void {
    this.agents.set(agent.name, agent);
  }

  remove(name: string): void {
    this.agents.delete(name);
  }

  get(name: string): AgentEndpoint | undefined {
    return this.agents.get(name);
  }

  all(): AgentEndpoint[] {
    return [...this.agents.values()];
  }

  /** Agents hosting `role` (every agent when no role is given). */
  hosting(role?: Role): AgentEndpoint[] {
    return this.all().filter((agent) => role === undefined || hostsRole(agent.plan, role));
  }

  /** Sends `request` to every agent hosting `role` at once and waits for all of them. */
  async ask<R extends ControlRequest>(request: R, role: Role | undefined, timeoutMs: number, targets = this.hosting(role)): Promise<GroupAnswer<R>> {
    const results = await Promise.allSettled(targets.map((agent) => this.tracked(agent, request, timeoutMs)));
    const answer: GroupAnswer<R> = { replies: new Map(), failures: [] };
    results.forEach((result, index) => {
      if (result.status === "fulfilled") answer.replies.set(targets[index].name, result.value);
      else answer.failures.push({ agent: targets[index], reason: result.reason as Error });
    });
    return answer;
  }

  /** Requests sent by `ask` and not answered yet; only those of `request` when it is given. */
  unanswered(request?: ControlRequest): UnansweredRequest[] {
    return [...this.inFlight].filter((pending) => request === undefined || pending.request === request);
  }

  /** Asks every agent to close, then ends each one's thread or duty cycle; `closed` is told of each. */
  async closeAll(timeoutMs: number, closed: (agent: AgentEndpoint) => void): Promise<void> {
    await Promise.allSettled(this.all().map(async (agent) => {
      try {
        await agent.request({ op: "close" }, timeoutMs);
      } catch (thrown) {
        if (!(thrown instanceof AgentUnavailableError)) throw thrown;
      } finally {
        agent.terminate();
        closed(agent);
      }
    }));
  }

  private async tracked<R extends ControlRequest>(agent: AgentEndpoint, request: R, timeoutMs: number): Promise<ReplyTo<R>> {
    const pending = { agent, request };
    this.inFlight.add(pending);
    try {
      return await agent.request(request, timeoutMs);
    } finally {
      this.inFlight.delete(pending);
    }
  }
}
