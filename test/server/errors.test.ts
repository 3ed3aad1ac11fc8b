import { describe, expect, it } from "bun:test";
import type { ErrorReport } from "../../src/mod.ts";
import { boot, eventually } from "../helpers.ts";

const config = (handler: string, configMap: Record<string, unknown> = {}) => ({
  eventFeeds: [{ name: "in", type: "memory" as const, broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [{ agentName: "risky", eventHandlers: { fragile: { handler, configMap } } }],
});

describe("errors", () => {
  for (const async of [false, true]) {
    it(`a handler that ${async ? "rejects" : "throws"} on some events keeps receiving the others; each error is counted and reported`, async () => {
      const server = await boot(config("./failing.ts", { failEvery: 3, async }), { logLevel: "silent" });
      const reports: ErrorReport[] = [];
      server.onError((report) => reports.push(report));
      try {
        for (let i = 1; i <= 30; i++) server.offer("in", i);
        const delivered = await server.sink("out").waitFor(20);
        await server.stop();
        expect(delivered).toEqual(Array.from({ length: 30 }, (_, i) => i + 1).filter((i) => i % 3 !== 0));
        expect(server.counter("handler_errors_total", { handler: "fragile" })).toBe(10);
        expect(server.counter("handler_events_total", { handler: "fragile" })).toBe(30);
        expect(reports.length).toBe(10);
        expect(reports[0]).toMatchObject({
          source: "handler",
          agent: "risky",
          component: "fragile",
          phase: "onEvent",
          feed: "in",
          sequenceNumber: 3,
          event: "3",
          message: async ? "Error: async refusal of 3" : "TypeError: cannot handle 3",
        });
        expect(server.errors().length).toBe(10);
      } finally {
        await server.stop();
      }
    });
  }

  it("rate-limits reports of a handler that fails on every event, but counts every failure", async () => {
    const server = await boot(config("./failing.ts", { failEvery: 1 }), { logLevel: "silent" });
    try {
      for (let i = 1; i <= 500; i++) server.offer("in", i);
      const stopped = await server.stop();
      expect(server.counter("handler_errors_total")).toBe(500);
      // 10 reports, then at stop one summary of the 490 held back; many errors do not make the stop unclean.
      expect(server.errors().length).toBe(11);
      expect(server.errors()[10]).toMatchObject({ component: "fragile", phase: "onEvent", suppressed: 490 });
      expect(stopped).toMatchObject({ clean: true, errorsReported: 500 });
    } finally {
      await server.stop();
    }
  });

  it("summarizes held-back errors when their window ends, without waiting for another error or the stop", async () => {
    const server = await boot(config("./failing.ts", { failEvery: 1 }), { logLevel: "silent" });
    try {
      for (let i = 1; i <= 25; i++) server.offer("in", i);
      await eventually(() => server.errors().some((report) => report.suppressed !== undefined), "a summary of the suppressed errors", 30_000);
      expect(server.errors().find((report) => report.suppressed !== undefined)).toMatchObject({
        source: "handler",
        component: "fragile",
        suppressed: 15,
        message: expect.stringMatching(/^handler fragile: 15 more errors suppressed in the last 5 s \(onEvent: TypeError: cannot handle 25\)$/),
      });
    } finally {
      await server.stop();
    }
  });

  it("detects and reports a worker that dies, and still stops without hanging", async () => {
    const server = await boot(config("./killer.ts"), {
      logLevel: "silent",
      unresponsiveAfterMs: 400,
      drainTimeoutMs: 1_000,
      requestTimeoutMs: 1_000,
    });
    const reports: ErrorReport[] = [];
    server.onError((report) => reports.push(report));
    server.offer("in", "before");
    await server.sink("out").waitFor(1);
    server.offer("in", "die");
    const deadline = Date.now() + 10_000;
    while (!reports.some((r) => r.source === "agent" && r.agent === "risky") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const report = reports.find((r) => r.source === "agent" && r.agent === "risky");
    expect(report?.message).toMatch(/agent "risky" (died|is unresponsive)/);
    expect(server.health().live).toBe(false);
    expect(server.health().agents.find((a) => a.name === "risky")?.state).toMatch(/dead|unresponsive/);
    const stopped = await server.stop();
    expect(stopped.clean).toBe(false);
    expect(stopped.problems.join("\n")).toContain(`agent "risky"`);
  });
});
