/**
 * The supervisor's handle on one agent, worker or inline: send a control request, get its reply; hear
 * the agent's events; learn when it dies.
 *
 * @module
 */
import { CallerRunsBackpressure, type LocalWork } from "../agent/backpressure.ts";
import { createIdleStrategy } from "../agent/idle-strategy.ts";
import { AsyncParker } from "../agent/parker.ts";
import { AgentRunner } from "../agent/runner.ts";
import { AgentSignals } from "../agent/signals.ts";
import type { AgentPlan } from "../config/plan.ts";
import { runtime } from "../runtime/mod.ts";
import type { WorkerHandle } from "../runtime/types.ts";
import { AGENT_WORKER_URL } from "../entry-urls.ts";
import { AgentHost, ComponentFailureError } from "./agent-host.ts";
import { describeThrown } from "./errors.ts";
import { unenforcedHeapLimit } from "./heap-limit.ts";
import { type AgentBoot, type AgentEvent, type AgentMessage, type ComponentFailure, type ControlRequest, describeRequest } from "./protocol.ts";

/** The agent cannot answer: it died, was closed, or did not reply in time. */
export class AgentUnavailableError extends Error {
  constructor(readonly agent: string, why: string, readonly timedOut = false) {
    super(`agent "${agent}" ${why}`);
    this.name = "AgentUnavailableError";
  }
}

/** Listeners the supervisor attaches to an agent. */
export interface AgentListeners {
  onEvent(agent: string, event: AgentEvent): void;
  /** The agent is gone for good (worker exited or crashed). Not called after a requested termination. */
  onExit(agent: string, reason: string): void;
}

/** Supervisor-side view of one agent. */
export interface AgentEndpoint {
  readonly name: string;
  readonly plan: AgentPlan;
  readonly signals: AgentSignals;
  /** Sends a request; resolves with its reply or rejects with ComponentFailureError / AgentUnavailableError. */
  request(request: ControlRequest, timeoutMs: number): Promise<unknown>;
  /** Ends the agent's thread (workers) or its duty cycle (inline) at once. */
  terminate(): void;
}

function withTimeout<T>(agent: string, what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AgentUnavailableError(agent, `did not answer "${what}" within ${timeoutMs} ms`, true)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An agent on its own worker thread.
 *
 * @example
 * ```ts
 * const agent = await WorkerAgent.start(boot, listeners, 30_000);
 * await agent.request({ op: "lifecycle", phase: "init", role: "handlers" }, 30_000);
 * ```
 */
export class WorkerAgent implements AgentEndpoint {
  readonly signals: AgentSignals;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private exitReason: string | undefined;
  private terminated = false;

  private constructor(readonly plan: AgentPlan, private readonly worker: WorkerHandle, signals: SharedArrayBuffer, listeners: AgentListeners) {
    this.signals = new AgentSignals(signals);
    worker.onMessage((message) => this.received(message as AgentMessage, listeners));
    worker.onExit((reason) => {
      if (this.terminated) return;
      this.exitReason = reason;
      for (const waiter of this.pending.values()) waiter.reject(new AgentUnavailableError(this.name, `is gone (${reason})`));
      this.pending.clear();
      listeners.onExit(this.name, reason);
    });
  }

  get name(): string {
    return this.plan.name;
  }

  /** Spawns the worker and waits until it has loaded its handlers. */
  static async start(boot: AgentBoot, listeners: AgentListeners, timeoutMs: number): Promise<WorkerAgent> {
    const worker = runtime.spawnWorker(AGENT_WORKER_URL, `mongoose-agent-${boot.plan.name}`, { maxHeapMb: boot.plan.maxHeapMb });
    const agent = new WorkerAgent(boot.plan, worker, boot.signals, listeners);
    const booted = new Promise((resolve, reject) => agent.pending.set(0, { resolve, reject }));
    worker.post({ type: "boot", boot });
    try {
      await withTimeout(agent.name, "boot", booted, timeoutMs);
    } catch (error) {
      agent.terminate();
      throw error;
    }
    return agent;
  }

  request(request: ControlRequest, timeoutMs: number): Promise<unknown> {
    if (this.exitReason !== undefined) return Promise.reject(new AgentUnavailableError(this.name, `is gone (${this.exitReason})`));
    if (this.terminated) return Promise.reject(new AgentUnavailableError(this.name, "was terminated"));
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.worker.post({ type: "request", id, request });
    this.signals.ringDoorbell();
    return withTimeout(this.name, describeRequest(request), reply, timeoutMs).finally(() => this.pending.delete(id));
  }

  terminate(): void {
    this.terminated = true;
    this.worker.terminate();
    for (const waiter of this.pending.values()) waiter.reject(new AgentUnavailableError(this.name, "was terminated"));
    this.pending.clear();
  }

  private received(message: AgentMessage, listeners: AgentListeners): void {
    if ("reply" in message) {
      const waiter = this.pending.get(message.reply);
      this.pending.delete(message.reply);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new ComponentFailureError(message.failure));
      return;
    }
    listeners.onEvent(this.name, message);
  }
}

/**
 * An agent on the supervisor's own thread, driven by the event loop (never blocking it). Hosts the
 * supervisor's feeds and sinks, and handlers given in-process.
 *
 * @example
 * ```ts
 * const agent = await InlineAgent.start(boot, listeners, localWork);
 * agent.host.memoryFeed("prices")?.offer(42);
 * ```
 */
export class InlineAgent implements AgentEndpoint, LocalWork {
  readonly signals: AgentSignals;
  private readonly runner: AgentRunner;
  private readonly running: Promise<void>;
  private closed = false;

  private constructor(readonly plan: AgentPlan, readonly host: AgentHost, listeners: AgentListeners) {
    this.signals = host.signals;
    const parker = new AsyncParker({
      signals: host.signals,
      hasPendingInput: () => host.hasPendingInput(),
      millisToNextDeadline: () => host.millisToNextDeadline(),
      maxParkMs: host.boot.tuning.maxParkMs,
    });
    this.runner = new AgentRunner(host, createIdleStrategy(plan.idle, parker), host.signals, {
      sliceMs: host.boot.tuning.sliceMs,
      asyncParker: parker,
    });
    this.running = this.runner.run().catch((thrown) => {
      const { message, stack } = describeThrown(thrown);
      listeners.onEvent(this.name, { event: "fatal", message: `duty cycle failed: ${message}`, stack });
    });
  }

  get name(): string {
    return this.plan.name;
  }

  /**
   * Builds the host on this thread and starts its duty cycle. `localWork` lists every inline agent of the
   * server; producers here run them while waiting for ring space.
   */
  static async start(boot: AgentBoot, listeners: AgentListeners, localWork: () => Iterable<LocalWork>): Promise<InlineAgent> {
    const host = await AgentHost.create(boot, {
      // Deliver events asynchronously, as a worker's would arrive, so supervisor code never re-enters itself.
      emit: (event) => queueMicrotask(() => listeners.onEvent(boot.plan.name, event)),
      backpressure: new CallerRunsBackpressure(localWork, boot.tuning.offerTimeoutMs),
    });
    if (boot.plan.coreId !== undefined) {
      host.log.warn("coreId ignored: an inline agent shares the supervisor's thread, which is not pinned", { coreId: boot.plan.coreId });
    }
    const heapLimitIgnored = unenforcedHeapLimit(boot.plan);
    if (heapLimitIgnored) host.log.warn(heapLimitIgnored, { maxHeapMb: boot.plan.maxHeapMb });
    return new InlineAgent(boot.plan, host, listeners);
  }

  async request(request: ControlRequest, timeoutMs: number): Promise<unknown> {
    if (this.closed) throw new AgentUnavailableError(this.name, "was closed");
    try {
      const value = await withTimeout(this.name, describeRequest(request), Promise.resolve(this.host.handle(request)), timeoutMs);
      if (request.op === "close") await this.close();
      return value;
    } catch (thrown) {
      if (thrown instanceof ComponentFailureError || thrown instanceof AgentUnavailableError) throw thrown;
      const failure: ComponentFailure = { component: `agent "${this.name}"`, phase: describeRequest(request), ...describeThrown(thrown) };
      throw new ComponentFailureError(failure);
    }
  }

  runOnce(): number {
    return this.runner.runOnce();
  }

  terminate(): void {
    void this.close();
  }

  private async close(): Promise<void> {
    this.closed = true;
    this.runner.close();
    await this.running;
  }
}
