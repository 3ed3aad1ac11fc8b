import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../../src/config/plan.ts";
import type { AgentEndpoint, AgentLauncher, AgentListeners } from "../../../src/core/agent-endpoint.ts";
import { CommandRegistry } from "../../../src/core/commands/command-registry.ts";
import { BootError } from "../../../src/core/errors.ts";
import type { HandlerContext } from "../../../src/core/handler-api.ts";
import { ThreadLauncher } from "../../../src/core/launcher.ts";
import type { AgentBoot } from "../../../src/core/protocol.ts";
import { Supervisor, type SupervisorOptions } from "../../../src/core/supervisor/supervisor.ts";
import { AGENT_WORKER_URL } from "../../../src/entry-urls.ts";
import { createLogger } from "../../../src/log/log.ts";
import { runtime } from "../../../src/runtime/mod.ts";
import { TEST_TUNING } from "../boot-message.ts";

class Listener {
  start(ctx: HandlerContext) {
    ctx.subscribe("orders");
  }
  onEvent() {}
}

const plan = buildPlan({
  eventFeeds: [{ name: "orders", type: "memory" }, { name: "ticks", type: "memory", broadcast: true }],
  eventHandlers: [
    { agentName: "a", eventHandlers: { first: { handler: Listener } } },
    { agentName: "b", eventHandlers: { second: { handler: Listener } } },
  ],
}, { inline: true });

/** Starts agents for real, records what it started and ended, and fails to launch the agents named in `failing`. */
class RecordingLauncher implements AgentLauncher {
  readonly terminated: string[] = [];
  private readonly threads = new ThreadLauncher(runtime, AGENT_WORKER_URL, 10_000);
  constructor(private readonly failing: string[] = []) {}
  async launch(boot: AgentBoot, listeners: AgentListeners): Promise<AgentEndpoint> {
    if (this.failing.includes(boot.plan.name)) throw new Error(`cannot start ${boot.plan.name}`);
    const agent = await this.threads.launch(boot, listeners);
    const terminate = agent.terminate.bind(agent);
    agent.terminate = () => {
      this.terminated.push(agent.name);
      terminate();
    };
    return agent;
  }
}

function options(launcher: AgentLauncher): SupervisorOptions {
  const log = { level: "silent", format: "text" } as const;
  return {
    log,
    logger: createLogger(log),
    launcher,
    tuning: TEST_TUNING,
    ringCapacity: 4096,
    requestTimeoutMs: 10_000,
    drainTimeoutMs: 10_000,
    shutdownTimeoutMs: 30_000,
    unresponsiveAfterMs: 5_000,
    commands: new CommandRegistry({ timeoutMs: 10_000, lateReply: () => {} }),
  };
}

describe("supervisor (with its own launcher)", () => {
  it("wires planned and asked-for rings, one per feed and agent, and stops every agent it started", async () => {
    const launcher = new RecordingLauncher();
    const supervisor = new Supervisor(plan, options(launcher));
    await supervisor.boot();
    expect(supervisor.subscriptionsOf("a")).toEqual(new Map([["first", new Set(["ticks", "orders"])]]));
    expect(supervisor.ringInfo().map((r) => `${r.name} ${r.producer}→${r.consumer}`).sort()).toEqual([
      "orders supervisor→a",
      "orders supervisor→b",
      "ticks supervisor→a",
      "ticks supervisor→b",
    ]);
    expect(supervisor.agentStatus().map((s) => s.state)).toEqual(["running", "running", "running"]);
    const report = await supervisor.stop();
    expect(report).toMatchObject({ clean: true, problems: [], undeliveredEvents: 0 });
    expect(launcher.terminated.sort()).toEqual(["a", "b", "supervisor"]);
  });

  it("fails the boot naming the agent that could not start, and ends the ones that did", async () => {
    const launcher = new RecordingLauncher(["b"]);
    const supervisor = new Supervisor(plan, options(launcher));
    const boot = supervisor.boot();
    await expect(boot).rejects.toThrow(BootError);
    await expect(boot).rejects.toThrow(`agent "b" failed during boot: Error: cannot start b`);
    expect(launcher.terminated.sort()).toEqual(["a", "supervisor"]);
  });
});
