import { describe, expect, it } from "bun:test";
import { boot } from "../helpers.ts";

describe("stopping with a stuck handler", () => {
  it("an agent that gets stuck while the stop drains it is given up on once the watchdog sees it, not after drainTimeoutMs", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { h: { handler: "./hanger.ts" } } }],
    }, { logLevel: "silent", unresponsiveAfterMs: 300, drainTimeoutMs: 20_000, requestTimeoutMs: 20_000 });
    server.offer("in", "before");
    await server.sink("out").waitFor(1);
    server.offer("in", "hang");
    server.offer("in", "after");
    // The drain waits on the stuck agent; the watchdog finds it unresponsive well within the 20 s timeouts.
    const report = await server.stop();
    expect(report.clean).toBe(false);
    expect(report.problems.join("\n")).toMatch(/agent "worker" is unresponsive \(no heartbeat for \d+ ms[^\n]*\): given up on without draining, \d+ events undelivered/);
    expect(report.problems.join("\n")).not.toContain("did not answer");
    expect(report.undeliveredEvents).toBeGreaterThanOrEqual(2);
    expect(server.health().agents.find((a) => a.name === "worker")?.state).toBe("dead");
  });

  it("shutdownTimeoutMs (embedding option, over the configuration's key) bounds a stop whose handler's stop never ends, and the report names what did not finish", async () => {
    const server = await boot({
      shutdownTimeoutMs: 60_000,
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { h: { handler: "./slow-stop.ts" } } }],
    }, { logLevel: "silent", shutdownTimeoutMs: 3_000 });
    server.offer("in", 1);
    const report = await server.stop();
    expect(report.clean).toBe(false);
    expect(report.problems).toContain(`stop handlers on agent "worker": no answer before shutdownTimeoutMs (3000 ms) ran out`);
    expect(report.problems.find((problem) => problem.startsWith("shutdown did not finish within shutdownTimeoutMs (3000 ms): "))).toContain(`stop handlers on agent "worker"`);
    expect(report.problems).toContain(`sink "out" on agent "supervisor" was not flushed: values it held were not written`);
  });
});
