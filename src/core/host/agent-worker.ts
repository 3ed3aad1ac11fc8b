/**
 * The agent side of a worker thread: receives the boot message, builds the {@link AgentHost}, runs its
 * duty cycle, and answers control requests between slices. Runtime-agnostic: `src/workers/agent.ts`, the
 * entry file, hands it the runtime's adapter.
 *
 * @module
 */
import { ParkingBackpressure } from "../../agent/backpressure.ts";
import { createIdleStrategy } from "../../agent/idle-strategy.ts";
import { BlockingParker } from "../../agent/parker.ts";
import { AgentRunner } from "../../agent/runner.ts";
import { AgentSignals } from "../../agent/signals.ts";
import { SwitchableIdleStrategy } from "../../agent/switchable-idle-strategy.ts";
import { pinThread } from "../../pinning/pin-thread.ts";
import type { Runtime } from "../../runtime/types.ts";
import { describeThrown } from "../errors.ts";
import { unenforcedHeapLimit } from "../heap-limit.ts";
import { holdLifeLock } from "../life-lock.ts";
import { type AgentMessage, type ComponentFailure, ComponentFailureError, type SupervisorMessage } from "../protocol.ts";
import { AgentHost } from "./agent-host.ts";
import { sampleThreadCpu } from "./thread-cpu.ts";

/** The worker's side of its message channel. */
export interface ParentPort {
  post(message: AgentMessage): void;
  onMessage(listener: (message: SupervisorMessage) => void): void;
}

function failureOf(thrown: unknown, component: string, phase: string): ComponentFailure {
  if (thrown instanceof ComponentFailureError) return thrown.failure;
  return { component, phase, ...describeThrown(thrown) };
}

/**
 * Serves one agent on the current (worker) thread.
 *
 * @example
 * ```ts
 * serveAgentWorker({ post: (m) => postMessage(m), onMessage: (l) => addEventListener("message", (e) => l(e.data)) }, runtime);
 * ```
 */
export function serveAgentWorker(port: ParentPort, runtime: Runtime): void {
  let host: AgentHost | undefined;
  let runner: AgentRunner | undefined;
  let running: Promise<void> | undefined;
  let received = 0;
  let stopCpuSampling = () => {};

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
    // A restarted agent's signal words are its predecessor's: control messages count on from there.
    received = signals.controlSequence();
    if (message.boot.lifeLock) await holdLifeLock(message.boot.lifeLock);
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
    const heapLimitIgnored = unenforcedHeapLimit(plan, runtime);
    if (heapLimitIgnored) created.log.warn(heapLimitIgnored, { maxHeapMb: plan.maxHeapMb });
    const controlBacklog = () => signals.controlSequence() > received;
    const parker = new BlockingParker({
      signals,
      // A control message counts as input: the doorbell may ring between the runner's check and a park.
      hasPendingInput: () => controlBacklog() || created.hasPendingInput(),
      millisToNextDeadline: () => created.millisToNextDeadline(),
      maxParkMs: tuning.maxParkMs,
      ioOnEventLoop: () => created.ioOnEventLoop,
    }, libc?.schedYield);
    created.idleStrategy = new SwitchableIdleStrategy(plan.idle, (spec) => createIdleStrategy(spec, parker));
    return new AgentRunner(created, created.idleStrategy, signals, { sliceMs: tuning.sliceMs, controlBacklog, asyncParker: parker });
  };

  port.onMessage(async (message) => {
    if (message.type === "boot") {
      try {
        runner = await boot(message);
      } catch (thrown) {
        port.post({ reply: 0, ok: false, failure: failureOf(thrown, `agent "${message.boot.plan.name}"`, "boot") });
        return;
      }
      // Reply first: the runner's first slice may park.
      port.post({ reply: 0, ok: true });
      stopCpuSampling = sampleThreadCpu(host!.counters.counter("agent_cpu_seconds_total"));
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
        stopCpuSampling();
        runner!.close();
        await running;
      }
      port.post({ reply: id, ok: true, value });
    } catch (thrown) {
      port.post({ reply: id, ok: false, failure: failureOf(thrown, `agent "${host?.roleName}"`, request.op) });
    }
  });
}
