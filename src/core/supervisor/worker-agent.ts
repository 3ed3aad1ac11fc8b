/**
 * The supervisor's handle on an agent running on its own worker thread: control requests and replies
 * travel by postMessage, events arrive as messages, and the worker's exit is the agent's death.
 *
 * @module
 */
import { AgentSignals } from "../../agent/signals.ts";
import type { AgentPlan } from "../../plan/types.ts";
import type { Runtime, WorkerHandle } from "../../runtime/types.ts";
import { type AgentEndpoint, type AgentListeners, AgentUnavailableError, withTimeout } from "../agent-endpoint.ts";
import { type AgentBoot, type AgentMessage, ComponentFailureError, type ControlRequest, describeRequest, type ReplyTo } from "../protocol.ts";
import { newLifeLockName, watchLifeLock } from "../life-lock.ts";
import { untilAborted } from "./until-aborted.ts";

/**
 * An agent on its own worker thread.
 *
 * @example
 * ```ts
 * const agent = await WorkerAgent.start(runtime, AGENT_WORKER_URL, boot, listeners, 30_000);
 * await agent.request({ op: "lifecycle", phase: "init", role: "handlers" }, 30_000);
 * ```
 */
export class WorkerAgent implements AgentEndpoint {
  readonly signals: AgentSignals;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private exit: string | undefined;
  private terminated = false;

  private constructor(readonly plan: AgentPlan, private readonly worker: WorkerHandle, signals: SharedArrayBuffer, listeners: AgentListeners) {
    this.signals = new AgentSignals(signals);
    worker.onMessage((message) => this.received(message as AgentMessage, listeners));
    worker.onExit((reason) => this.exited(reason, listeners));
  }

  /** The worker is gone: told once, by its exit event or by its life lock, whichever comes first. */
  private exited(reason: string, listeners: AgentListeners): void {
    if (this.terminated || this.exit !== undefined) return;
    this.exit = reason;
    for (const waiter of this.pending.values()) waiter.reject(new AgentUnavailableError(this.name, `is gone (${reason})`));
    this.pending.clear();
    listeners.onExit(this.name, reason);
  }

  get name(): string {
    return this.plan.name;
  }

  get exitReason(): string | undefined {
    return this.exit;
  }

  /**
   * Spawns the worker from `workerUrl` (the agent worker entry) and waits until it has loaded its
   * components; if that times out or `signal` aborts, the worker is terminated.
   */
  static async start(runtime: Runtime, workerUrl: string, boot: AgentBoot, listeners: AgentListeners, timeoutMs: number, signal?: AbortSignal): Promise<WorkerAgent> {
    const worker = runtime.spawnWorker(workerUrl, `mongoose-agent-${boot.plan.name}`, { maxHeapMb: boot.plan.maxHeapMb });
    const agent = new WorkerAgent(boot.plan, worker, boot.signals, listeners);
    const booted = new Promise((resolve, reject) => agent.pending.set(0, { resolve, reject }));
    const lifeLock = newLifeLockName(boot.plan.name);
    worker.post({ type: "boot", boot: { ...boot, lifeLock } });
    try {
      await untilAborted(withTimeout(agent.name, "boot", booted, timeoutMs), signal);
    } catch (error) {
      agent.terminate();
      throw error;
    }
    // The worker took the lock before it replied: it is granted to us when the thread ends.
    if (lifeLock) watchLifeLock(lifeLock, () => agent.exited("worker exited", listeners));
    return agent;
  }

  request<R extends ControlRequest>(request: R, timeoutMs: number): Promise<ReplyTo<R>> {
    if (this.exit !== undefined) return Promise.reject(new AgentUnavailableError(this.name, `is gone (${this.exit})`));
    if (this.terminated) return Promise.reject(new AgentUnavailableError(this.name, "was terminated"));
    const id = this.nextId++;
    // The worker answers request `id` with the reply its protocol names for it (see ControlReplies).
    const reply = new Promise<ReplyTo<R>>((resolve, reject) => this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }));
    this.worker.post({ type: "request", id, request });
    this.signals.ringDoorbell();
    return withTimeout(this.name, describeRequest(request), reply, timeoutMs).finally(() => this.pending.delete(id));
  }

  terminate(): void {
    this.terminated = true;
    try {
      this.worker.terminate();
    } catch {
      // Deno may throw when terminating a worker whose thread already ended: it is gone either way.
    }
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
