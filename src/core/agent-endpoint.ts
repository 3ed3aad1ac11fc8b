/**
 * The supervisor's handle on one agent, worker or inline: send a control request, get its reply; hear
 * the agent's events; learn when it dies. `supervisor/worker-agent.ts` and `host/inline-agent.ts`
 * implement it; the supervisor starts agents through an {@link AgentLauncher} and never sees which.
 *
 * @module
 */
import type { AgentSignals } from "../agent/signals.ts";
import type { AgentPlan } from "../plan/types.ts";
import type { SinkPlugin } from "./plugin-api.ts";
import type { AgentBoot, AgentEvent, ControlRequest, ReplyTo } from "./protocol.ts";

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
  request<R extends ControlRequest>(request: R, timeoutMs: number): Promise<ReplyTo<R>>;
  /** Ends the agent's thread (workers) or its duty cycle (inline) at once. */
  terminate(): void;
  /** Why its worker thread ended, once the supervisor knows it did (not after a requested termination). */
  readonly exitReason?: string;
}

/**
 * The components of an inline agent that the embedding program reaches directly, on the same thread:
 * the supervisor's own agent hosts the memory feeds it offers to and the memory sinks it reads.
 *
 * @example
 * ```ts
 * launcher.localComponents("supervisor")?.memoryFeed("prices")?.offer(42);
 * ```
 */
export interface LocalComponents {
  memoryFeed(name: string): { readonly name: string; offer(value: unknown): number } | undefined;
  sinkPlugin(name: string): SinkPlugin | undefined;
}

/**
 * Starts the agent a boot message describes, on a worker or inline, once it has loaded its components.
 *
 * @example
 * ```ts
 * const agent = await launcher.launch(boot, listeners);
 * await agent.request({ op: "lifecycle", phase: "init", role: "handlers" }, 30_000);
 * ```
 */
export interface AgentLauncher {
  /** `signal` aborts the wait for a worker to load (it is terminated); an inline agent loads on this thread and cannot be interrupted. */
  launch(boot: AgentBoot, listeners: AgentListeners, signal?: AbortSignal): Promise<AgentEndpoint>;
}

/**
 * Rejects with a timed-out {@link AgentUnavailableError} if `promise` takes longer than `timeoutMs`.
 *
 * @example
 * ```ts
 * const reply = await withTimeout("processor", "init handlers", pending, 30_000);
 * ```
 */
export function withTimeout<T>(agent: string, what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AgentUnavailableError(agent, `did not answer "${what}" within ${timeoutMs} ms`, true)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
