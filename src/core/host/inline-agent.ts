/**
 * An agent on the supervisor's own thread, driven by the event loop (never blocking it): the host and
 * its runner, behind the same {@link AgentEndpoint} the supervisor uses for workers. Hosts the
 * supervisor's feeds and sinks, and every agent of a server booted with `inline: true`.
 *
 * @module
 */
import { CallerRunsBackpressure, type LocalWork } from "../../agent/backpressure.ts";
import { createIdleStrategy } from "../../agent/idle-strategy.ts";
import { AsyncParker } from "../../agent/parker.ts";
import { AgentRunner } from "../../agent/runner.ts";
import type { AgentSignals } from "../../agent/signals.ts";
import { SwitchableIdleStrategy } from "../../agent/switchable-idle-strategy.ts";
import type { AgentPlan } from "../../plan/types.ts";
import { type AgentEndpoint, type AgentListeners, AgentUnavailableError, withTimeout } from "../agent-endpoint.ts";
import { describeThrown } from "../errors.ts";
import { unenforcedHeapLimit } from "../heap-limit.ts";
import { type AgentBoot, type ComponentFailure, ComponentFailureError, type ControlRequest, describeRequest, type ReplyTo } from "../protocol.ts";
import { AgentHost } from "./agent-host.ts";

/**
 * @example
 * ```ts
 * const agent = await InlineAgent.start(boot, listeners, () => inlineAgents);
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
    }, host.boot.tuning.keepAlive);
    host.idleStrategy = new SwitchableIdleStrategy(plan.idle, (spec) => createIdleStrategy(spec, parker));
    this.runner = new AgentRunner(host, host.idleStrategy, host.signals, {
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

  async request<R extends ControlRequest>(request: R, timeoutMs: number): Promise<ReplyTo<R>> {
    if (this.closed) throw new AgentUnavailableError(this.name, "was closed");
    try {
      const value = await withTimeout(this.name, describeRequest(request), this.host.handle(request), timeoutMs);
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
