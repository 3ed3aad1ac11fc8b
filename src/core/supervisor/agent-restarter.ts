/**
 * Supervised restarts: a worker agent with `restart: always` whose thread dies is started again on a new
 * worker after a backoff ({@link RestartBudget}), from the boot it was given (its components as configured,
 * handlers' configMaps as they are now), with the same shared memory: its signal words, counters and every
 * ring it was at either end of. Its components run init, start and startComplete again, each step's ring
 * requests connected (existing rings are reused, so nothing is duplicated), and only then does it take
 * events from its rings: what its predecessor had not consumed is delivered to it. Its producers resume
 * from each ring's published head.
 *
 * The consumer publishes its position once per polled batch, so the batch being handled when the thread
 * died is delivered again: at-least-once, duplicates at most one batch (`batchSize`) per ring.
 *
 * An attempt that fails (the new worker does not boot, a component throws while starting) counts as
 * another death. Once `maxRestarts` are spent within `restartWindowMs`, or when the agent's components
 * were changed at runtime (a restart re-creates only what it was booted with), the agent is given up on:
 * the dead-agent handling that applies without supervision.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import type { AgentPlan } from "../../plan/types.ts";
import type { AgentEndpoint, AgentLauncher, AgentListeners } from "../agent-endpoint.ts";
import { describeThrown } from "../errors.ts";
import type { AgentBoot, Endpoint, LifecyclePhase, Role, Wants } from "../protocol.ts";
import type { AgentGroup } from "./agent-group.ts";
import type { AgentHealth } from "./agent-health.ts";
import { RestartBudget } from "./restart-budget.ts";

/** What restarts work with; the supervisor provides it. */
export interface RestartContext {
  launcher: AgentLauncher;
  listeners: AgentListeners;
  agents: AgentGroup;
  health: AgentHealth;
  log: Logger;
  requestTimeoutMs: number;
  /** The current plan of an agent (runtime registration may have changed it). */
  planOf(agent: string): AgentPlan | undefined;
  /** The ring ends the agent's rings have now. */
  endpointsOf(agent: string): Endpoint[];
  /** A boot message like `boot` (same shared memory) with today's services and the given ring ends. */
  rebuild(boot: AgentBoot, endpoints: Endpoint[], restart: number): AgentBoot;
  calibrate(agent: AgentEndpoint): Promise<void>;
  /** Creates the rings the agent asked for in a lifecycle step and attaches their ends. */
  connect(wants: Map<string, Wants>): Promise<void>;
  /** Whether the server is running (a stopping server restarts nothing). */
  running(): boolean;
  /** Records a restart in the error log (and `onError` listeners). */
  report(agent: string, message: string): void;
  /** Gives the agent up: the dead-agent handling. */
  giveUp(agent: string, reason: string): void;
  /**
   * Brings a restarted agent's runtime tuning back (it boots from the plan): `components` once its
   * components are built, before they start; `handlers` once they started (their subscriptions exist).
   */
  retune(agent: string, stage: "components" | "handlers"): Promise<void>;
}

interface Supervised {
  boot: AgentBoot;
  budget: RestartBudget;
  /** The wait before the next attempt. */
  timer?: ReturnType<typeof setTimeout>;
  /** The next attempt's number and what to say if it is called off. */
  pending?: { attempt: number; reason: string };
  /** The attempt under way. */
  inFlight?: Promise<void>;
  diedAt: number;
}

const FORWARD: LifecyclePhase[] = ["init", "start", "startComplete"];
const ROLES: Role[] = ["sinks", "services", "handlers", "feeds"];

/**
 * @example
 * ```ts
 * const restarter = new AgentRestarter(context);
 * restarter.register(boot);                            // when the agent boots
 * if (!restarter.died("processor", "worker exited")) markDead("processor");
 * await restarter.settle();                            // before stopping
 * ```
 */
export class AgentRestarter {
  private readonly supervised = new Map<string, Supervised>();

  constructor(private readonly context: RestartContext) {}

  /** Keeps what it takes to restart the agent `boot` starts, if its plan asks for restarts (worker agents only). */
  register(boot: AgentBoot): void {
    const { plan } = boot;
    if (!plan.restart || plan.mode !== "worker") return;
    // The component lists as booted: runtime registration changes the live plan's lists in place.
    const snapshot = { ...plan, handlers: [...plan.handlers], services: [...plan.services], hostedFeeds: [...plan.hostedFeeds], hostedSinks: [...plan.hostedSinks] };
    this.supervised.set(plan.name, { boot: { ...boot, plan: snapshot }, budget: new RestartBudget(plan.restart), diedAt: 0 });
  }

  /**
   * The agent's worker died. True when a restart is under way or planned (the agent is not dead for
   * good); false when it is not supervised, so the caller applies the dead-agent handling.
   */
  died(agent: string, reason: string): boolean {
    const entry = this.supervised.get(agent);
    if (!entry || !this.context.running()) return false;
    // A death reported while restarting is the new worker's, during its attempt: it fails the step in
    // flight, or the attempt takes it up once it completes (see restart).
    if (this.context.health.stateOf(agent) === "restarting") return true;
    entry.diedAt = performance.now();
    this.planNext(agent, entry, reason);
    return true;
  }

  /** Before a stop: restarts still waiting are called off (those agents are given up), attempts under way finish. */
  async settle(): Promise<void> {
    for (const [agent, entry] of this.supervised) {
      if (entry.timer === undefined || !entry.pending) continue;
      clearTimeout(entry.timer);
      entry.timer = undefined;
      this.context.giveUp(agent, `${entry.pending.reason}; the server stopped before restart attempt ${entry.pending.attempt}`);
    }
    await Promise.all([...this.supervised.values()].map((entry) => entry.inFlight));
  }

  private planNext(agent: string, entry: Supervised, reason: string): void {
    const { context } = this;
    if (!this.unchanged(agent, entry)) {
      return context.giveUp(agent, `${reason}; not restarted: its components were changed at runtime, and a restart re-creates only those it booted with`);
    }
    const next = entry.budget.next(performance.now());
    if (!next) return context.giveUp(agent, `${reason}; not restarted again: ${entry.budget.describeSpent()}`);
    context.health.restarting(agent, `restarting (attempt ${next.attempt}) after: ${reason}`);
    context.log.error("agent died; restarting it", { agent, reason, attempt: next.attempt, inMs: next.delayMs });
    context.report(agent, `agent "${agent}" died: ${reason}; restarting (attempt ${next.attempt}) in ${next.delayMs} ms`);
    entry.pending = { attempt: next.attempt, reason };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      entry.inFlight = this.restart(agent, entry, next.attempt).finally(() => (entry.inFlight = undefined));
    }, next.delayMs);
  }

  private async restart(name: string, entry: Supervised, attempt: number): Promise<void> {
    const { context } = this;
    if (!context.running()) return context.giveUp(name, `${entry.pending?.reason}; the server stopped before restart attempt ${attempt}`);
    context.health.restartAttempted(name);
    let agent: AgentEndpoint | undefined;
    try {
      agent = await context.launcher.launch(context.rebuild(entry.boot, context.endpointsOf(name), attempt), context.listeners);
      context.agents.add(agent);
      await context.calibrate(agent);
      await context.retune(name, "components");
      for (const phase of FORWARD) {
        for (const role of ROLES) {
          const wants = await agent.request({ op: "lifecycle", phase, role }, context.requestTimeoutMs);
          await context.connect(new Map([[name, wants]]));
        }
      }
      await context.retune(name, "handlers");
    } catch (thrown) {
      agent?.terminate();
      const reason = `restart attempt ${attempt} failed: ${describeThrown(thrown).message}`;
      if (context.running()) this.planNext(name, entry, reason);
      else context.giveUp(name, reason);
      return;
    }
    entry.pending = undefined;
    context.health.restarted(name);
    context.log.warn("agent restarted", { agent: name, attempt, downMs: Math.round(performance.now() - entry.diedAt) });
    // The new worker may have ended after answering its last step (it takes events from then on: a
    // redelivered poison event kills it at once), while the agent still counted as restarting and its death
    // was set aside. Seen on Deno under load: the agent stayed "running", then "unresponsive", never restarted.
    if (agent.exitReason !== undefined) context.listeners.onExit(name, agent.exitReason);
  }

  /** Whether the agent still has exactly the components it booted with. */
  private unchanged(agent: string, entry: Supervised): boolean {
    const now = this.context.planOf(agent);
    if (!now) return false;
    const booted = entry.boot.plan;
    const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((name, i) => name === b[i]);
    return same(now.handlers.map((h) => h.name), booted.handlers.map((h) => h.name)) &&
      same(now.services.map((s) => s.name), booted.services.map((s) => s.name)) &&
      same(now.hostedFeeds, booted.hostedFeeds) && same(now.hostedSinks, booted.hostedSinks);
  }
}
