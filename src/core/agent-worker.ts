/**
 * The agent side of a worker thread: receives the boot message, builds the {@link AgentHost}, runs its
 * duty cycle, and answers control requests between slices. Runtime-agnostic; `src/workers/agent.ts` is
 * the entry file that calls it.
 *
 * @module
 */
import { ParkingBackpressure } from "../agent/backpressure.ts";
import { createIdleStrategy } from "../agent/idle-strategy.ts";
import { BlockingParker } from "../agent/parker.ts";
import { AgentRunner } from "../agent/runner.ts";
import { AgentSignals } from "../agent/signals.ts";
import { CPU_MASK_BYTES } from "../runtime/cpu-mask.ts";
import { runtime } from "../runtime/mod.ts";
import type { Libc } from "../runtime/types.ts";
import { AgentHost, ComponentFailureError } from "./agent-host.ts";
import { describeThrown } from "./errors.ts";
import type { AgentMessage, ComponentFailure, SupervisorMessage } from "./protocol.ts";

/** The worker's side of its message channel. */
export interface ParentPort {
  post(message: AgentMessage): void;
  onMessage(listener: (message: SupervisorMessage) => void): void;
}

function failureOf(thrown: unknown, component: string, phase: string): ComponentFailure {
  if (thrown instanceof ComponentFailureError) return thrown.failure;
  return { component, phase, ...describeThrown(thrown) };
}

/** Formats CPUs as the kernel's `Cpus_allowed_list` does, e.g. `0-3,6`. */
function cpuList(cpus: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < cpus.length; i++) {
    const first = cpus[i];
    while (cpus[i + 1] === cpus[i] + 1) i++;
    ranges.push(first === cpus[i] ? `${first}` : `${first}-${cpus[i]}`);
  }
  return ranges.join(",");
}

/** Pins the calling thread to `coreId`; says why not instead of throwing, so the agent still runs (unpinned). */
function pinThread(libc: Libc | null, coreId: number): { core: number; tid: number } | { why: string } {
  if (!libc) return { why: "CPU pinning needs FFI, which is unavailable here (Deno needs --allow-ffi)" };
  const allowed = libc.getAffinity();
  // A cpu_set_t holds 1024 CPUs (cpuMask throws beyond): such a CPU fails like any this machine lacks.
  if (coreId < CPU_MASK_BYTES * 8 && libc.setAffinity([coreId]) === 0) return { core: coreId, tid: libc.gettid() };
  const why = "sched_setaffinity failed";
  // Name the usual cause: a CPU this machine (or its cpuset) does not offer.
  return { why: allowed.length > 0 && !allowed.includes(coreId) ? `${why}: CPU ${coreId} is not one this process may use (${cpuList(allowed)})` : why };
}

/**
 * Serves one agent on the current (worker) thread.
 *
 * @example
 * ```ts
 * serveAgentWorker({ post: (m) => postMessage(m), onMessage: (l) => addEventListener("message", (e) => l(e.data)) });
 * ```
 */
export function serveAgentWorker(port: ParentPort): void {
  let host: AgentHost | undefined;
  let runner: AgentRunner | undefined;
  let running: Promise<void> | undefined;
  let received = 0;

  const agentError = (phase: string, thrown: unknown) => {
    const name = host?.roleName ?? "unknown";
    port.post({ event: "error", report: { time: Date.now(), source: "agent", agent: name, component: name, phase, ...describeThrown(thrown) } });
  };
  // Errors escaping handler callbacks (timers, promises) must not kill the agent: report them and go on.
  addEventListener("error", (event) => {
    event.preventDefault();
    agentError("uncaught", (event as ErrorEvent).error ?? (event as ErrorEvent).message);
  });
  addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    agentError("unhandled rejection", (event as PromiseRejectionEvent).reason);
  });

  /** Builds the host and its runner; the caller replies to the supervisor before starting the runner. */
  const boot = async (message: Extract<SupervisorMessage, { type: "boot" }>): Promise<AgentRunner> => {
    const { plan, tuning } = message.boot;
    const signals = new AgentSignals(message.boot.signals);
    const libc = await runtime.loadLibc();
    const created = await AgentHost.create(message.boot, {
      emit: (event) => port.post(event),
      backpressure: new ParkingBackpressure(signals, tuning.maxParkMs),
    });
    host = created;
    if (plan.coreId !== undefined) {
      // Posted before the boot reply, so the supervisor's status shows the outcome once boot returns.
      const pinning = pinThread(libc, plan.coreId);
      if ("core" in pinning) {
        created.log.info(`pinned agent thread to CPU ${pinning.core} (tid ${pinning.tid})`, { coreId: pinning.core, tid: pinning.tid });
        port.post({ event: "pinning", core: pinning.core, detail: `pinned to CPU ${pinning.core} (tid ${pinning.tid})` });
      } else {
        created.log.warn(`coreId ${plan.coreId} not applied, the agent thread runs unpinned: ${pinning.why}`, { coreId: plan.coreId });
        port.post({ event: "pinning", detail: `not pinned: ${pinning.why}` });
      }
    }
    const controlBacklog = () => signals.controlSequence() > received;
    const parker = new BlockingParker({
      signals,
      // A control message counts as input: the doorbell may ring between the runner's check and a park.
      hasPendingInput: () => controlBacklog() || created.hasPendingInput(),
      millisToNextDeadline: () => created.millisToNextDeadline(),
      maxParkMs: tuning.maxParkMs,
    }, libc?.schedYield);
    return new AgentRunner(created, createIdleStrategy(plan.idle, parker), signals, { sliceMs: tuning.sliceMs, controlBacklog, asyncParker: parker });
  };

  port.onMessage(async (message) => {
    if (message.type === "boot") {
      try {
        runner = await boot(message);
      } catch (thrown) {
        port.post({ reply: 0, ok: false, failure: failureOf(thrown, `agent "${message.boot.plan.name}"`, "boot") });
        return;
      }
      // Reply first: the runner's first slice starts synchronously and may park.
      port.post({ reply: 0, ok: true });
      running = runner.run().catch((thrown) => {
        const { message, stack } = describeThrown(thrown);
        port.post({ event: "fatal", message: `duty cycle failed: ${message}`, stack });
      });
      return;
    }
    received++;
    const { id, request } = message;
    try {
      const value = await host!.handle(request);
      if (request.op === "close") {
        runner!.close();
        await running;
      }
      port.post({ reply: id, ok: true, value });
    } catch (thrown) {
      port.post({ reply: id, ok: false, failure: failureOf(thrown, `agent "${host?.roleName}"`, request.op) });
    }
  });
}
