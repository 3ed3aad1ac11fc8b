import { describe, expect, it } from "bun:test";
import type { Agent } from "../../src/agent/agent.ts";
import { createIdleStrategy } from "../../src/agent/idle-strategy.ts";
import { AsyncParker } from "../../src/agent/parker.ts";
import { AgentRunner } from "../../src/agent/runner.ts";
import { AgentSignals } from "../../src/agent/signals.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { eventually } from "../helpers.ts";

function countingAgent(workUntil: number) {
  const events: string[] = [];
  let cycles = 0;
  const agent: Agent = {
    roleName: "counter",
    onStart: () => void events.push("start"),
    doWork: () => (++cycles <= workUntil ? 1 : 0),
    onClose: () => void events.push("close"),
    hasPendingInput: () => false,
  };
  return { agent, events, cycles: () => cycles };
}

describe("agent runner", () => {
  it("runs duty cycles between onStart and onClose, on the event loop, until closed", async () => {
    const { agent, events, cycles } = countingAgent(1000);
    const signals = new AgentSignals(AgentSignals.allocate());
    const parker = new AsyncParker({ signals, hasPendingInput: () => false, millisToNextDeadline: () => Infinity, maxParkMs: 5 });
    const runner = new AgentRunner(agent, createIdleStrategy({ type: "blocking" }, parker), signals, { sliceMs: 1, asyncParker: parker });
    const running = runner.run();
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    // The event loop keeps turning while the agent runs (the timer fires), and the agent works past its
    // busy part into its parks, beating its heartbeat.
    await eventually(() => timerFired && cycles() > 1000 && signals.heartbeat() > 0, "the timer, 1000 busy cycles and a heartbeat");
    runner.close();
    await running;
    expect(events).toEqual(["start", "close"]);
  });

  it("holds the event loop open while it parks: awaiting a runner that only parks, with nothing else pending, does not end the program", async () => {
    // Closes itself after 200 idle cycles, each ending in a park of up to 1 ms; the test's await is all
    // that is left, so only the parks can keep the event loop (Deno's in particular) going until then.
    let cycles = 0;
    let closed = false;
    const signals = new AgentSignals(AgentSignals.allocate());
    const parker = new AsyncParker({ signals, hasPendingInput: () => false, millisToNextDeadline: () => Infinity, maxParkMs: 1 });
    const agent: Agent = {
      roleName: "idle",
      doWork: () => {
        if (++cycles === 200) runner.close();
        return 0;
      },
      onClose: () => void (closed = true),
    };
    const runner = new AgentRunner(agent, createIdleStrategy({ type: "blocking" }, parker), signals, { sliceMs: 1, asyncParker: parker });
    await runner.run();
    expect(cycles).toBe(200);
    expect(closed).toBe(true);
  });

  it("runOnce refuses to re-enter an agent already inside its duty cycle", () => {
    let inner = -1;
    let runner: AgentRunner;
    const agent: Agent = {
      roleName: "reentrant",
      doWork: () => {
        inner = runner.runOnce();
        return 1;
      },
    };
    const signals = new AgentSignals(AgentSignals.allocate());
    runner = new AgentRunner(agent, createIdleStrategy({ type: "noOp" }, { park() {}, sleep() {}, yield() {} }), signals, { sliceMs: 1 });
    expect(runner.runOnce()).toBe(1);
    expect(inner).toBe(0);
  });

  it("a busy slice ends early when another thread rings the doorbell for a control message", async () => {
    const { agent, cycles } = countingAgent(Infinity);
    const signals = new AgentSignals(AgentSignals.allocate());
    let received = 0;
    const ringer = runtime.spawnWorker(new URL("../fixtures/doorbell-ringer.ts", import.meta.url).href, "ringer");
    const rang = new Promise((resolve) => ringer.onMessage(resolve));
    ringer.post({ signals: signals.buffer, afterMs: 50 });
    const runner = new AgentRunner(agent, createIdleStrategy({ type: "busySpin" }, { park() {}, sleep() {}, yield() {} }), signals, {
      sliceMs: 60_000,
      controlBacklog: () => signals.controlSequence() > received,
    });
    const startedAt = performance.now();
    const running = runner.run(); // the first 60 s slice starts synchronously, here
    const sliceMs = performance.now() - startedAt;
    await rang;
    received++;
    runner.close();
    await running;
    ringer.terminate();
    expect(sliceMs).toBeLessThan(60_000); // it did not run to the end of its slice
    expect(cycles()).toBeGreaterThan(0);
    expect(signals.controlSequence()).toBe(2); // the ringer's ring, then close()
  });
});
