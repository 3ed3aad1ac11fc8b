import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../../src/config/plan.ts";
import { AgentUnavailableError } from "../../../src/core/agent-endpoint.ts";
import type { AgentEvent } from "../../../src/core/protocol.ts";
import { WorkerAgent } from "../../../src/core/supervisor/worker-agent.ts";
import { AGENT_WORKER_URL } from "../../../src/entry-urls.ts";
import { runtime } from "../../../src/runtime/mod.ts";
import { agentBoot } from "../boot-message.ts";

const plan = buildPlan({
  eventFeeds: [{ name: "in", type: "memory" }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "w", eventHandlers: { sub: { handler: "./subscriber.ts", configMap: { subscribe: ["in"] } } } }],
}, { baseDir: new URL("../../fixtures/", import.meta.url).pathname });

describe("worker agent endpoint", () => {
  it("boots a real worker, answers each request with its typed reply, and refuses requests once terminated", async () => {
    const events: AgentEvent[] = [];
    const exits: string[] = [];
    const agent = await WorkerAgent.start(runtime, AGENT_WORKER_URL, agentBoot(plan, "w"), {
      onEvent: (_agent, event) => events.push(event),
      onExit: (_agent, reason) => exits.push(reason),
    }, 30_000);
    try {
      expect(await agent.request({ op: "lifecycle", phase: "init", role: "handlers" }, 30_000)).toEqual({ subscriptions: [], sinks: [] });
      const started = await agent.request({ op: "lifecycle", phase: "start", role: "handlers" }, 30_000);
      expect(started).toEqual({ subscriptions: [{ handler: "sub", feed: "in" }], sinks: ["out"] });
      expect(await agent.request({ op: "pipesQuiet" }, 30_000)).toBe(true);
      expect(await agent.request({ op: "status" }, 30_000)).toEqual([]);
    } finally {
      agent.terminate();
    }
    await expect(agent.request({ op: "status" }, 30_000)).rejects.toThrow(AgentUnavailableError);
    await expect(agent.request({ op: "status" }, 30_000)).rejects.toThrow(`agent "w" was terminated`);
    expect(exits).toEqual([]); // a requested termination is not a death
  });
});
