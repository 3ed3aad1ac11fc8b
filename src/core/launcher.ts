/**
 * Starts each agent of a plan where its plan says: on a worker thread, or inline on this thread. The one
 * module that knows both sides, so the supervisor never imports the agent host and the host never
 * imports the supervisor.
 *
 * @module
 */
import type { Runtime } from "../runtime/types.ts";
import type { AgentEndpoint, AgentLauncher, AgentListeners, LocalComponents } from "./agent-endpoint.ts";
import { InlineAgent } from "./host/inline-agent.ts";
import type { AgentBoot } from "./protocol.ts";
import { WorkerAgent } from "./supervisor/worker-agent.ts";

/**
 * @example
 * ```ts
 * const launcher = new ThreadLauncher(runtime, AGENT_WORKER_URL, 30_000);
 * const supervisor = new Supervisor(plan, { ...options, launcher });
 * await supervisor.boot();
 * launcher.localComponents("supervisor")?.memoryFeed("prices")?.offer(1);
 * ```
 */
export class ThreadLauncher implements AgentLauncher {
  private readonly inline: InlineAgent[] = [];

  constructor(private readonly runtime: Runtime, private readonly workerUrl: string, private readonly bootTimeoutMs: number) {}

  async launch(boot: AgentBoot, listeners: AgentListeners, signal?: AbortSignal): Promise<AgentEndpoint> {
    if (boot.plan.mode === "worker") return await WorkerAgent.start(this.runtime, this.workerUrl, boot, listeners, this.bootTimeoutMs, signal);
    // Producers on this thread run every inline agent while they wait for ring space.
    const agent = await InlineAgent.start(boot, listeners, () => this.inline);
    this.inline.push(agent);
    return agent;
  }

  /** The components of the inline agent called `name` (the supervisor's own agent hosts memory feeds and sinks). */
  localComponents(name: string): LocalComponents | undefined {
    return this.inline.find((agent) => agent.name === name)?.host;
  }
}
