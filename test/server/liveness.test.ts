import { describe, expect, it } from "bun:test";
import type { ErrorReport } from "../../src/mod.ts";
import { boot, eventually, sleep } from "../helpers.ts";

const UNRESPONSIVE_AFTER_MS = 300;

const config = (handler: string, idleStrategy: "backoff" | "blocking" = "backoff") => ({
  eventFeeds: [{ name: "in", type: "memory" as const, broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [{ agentName: "worker", idleStrategy, eventHandlers: { h: { handler } } }],
});

type Server = Awaited<ReturnType<typeof boot>>;

/** Waits until the agent's duty cycle count stops moving over 200 ms (ten blocking parks of 20 ms): it is parked for good. */
async function parkedForGood(server: Server): Promise<void> {
  let seen = -1;
  await eventually(async () => {
    const cycles = server.counter("agent_duty_cycles_total", { agent: "worker" });
    if (cycles === seen) return true;
    seen = cycles;
    await sleep(200);
    return false;
  }, "the agent to stop running duty cycles");
}

describe("liveness of idle worker agents", () => {
  for (const idle of ["backoff", "blocking"] as const) {
    it(`a ${idle} agent parked for many times unresponsiveAfterMs is reported running, and still delivers`, async () => {
      const server = await boot(config("./forwarder.ts", idle), { unresponsiveAfterMs: UNRESPONSIVE_AFTER_MS, maxParkMs: 20 });
      const reports: ErrorReport[] = [];
      server.onError((report) => reports.push(report));
      try {
        server.offer("in", "before");
        await server.sink("out").waitFor(1);
        // Idle for five times the limit: the agent parks with no timeout, and only the watchdog's probes wake it.
        const idleUntil = performance.now() + 5 * UNRESPONSIVE_AFTER_MS;
        while (performance.now() < idleUntil) {
          const health = server.health();
          expect(health.agents.find((a) => a.name === "worker")?.state).toBe("running");
          expect(health.live).toBe(true);
          await sleep(20);
        }
        expect(reports).toEqual([]);
        server.offer("in", "after");
        expect(await server.sink("out").waitFor(2)).toEqual(["before", "after"]);
      } finally {
        await server.stop();
      }
    });
  }

  it("a handler stuck in an endless loop is still reported unresponsive", async () => {
    const server = await boot(config("./hanger.ts"), { logLevel: "silent", unresponsiveAfterMs: UNRESPONSIVE_AFTER_MS, requestTimeoutMs: 5_000, drainTimeoutMs: 1_000 });
    const reports: ErrorReport[] = [];
    server.onError((report) => reports.push(report));
    try {
      server.offer("in", "before");
      await server.sink("out").waitFor(1);
      server.offer("in", "hang");
      await eventually(() => server.health().agents.find((a) => a.name === "worker")?.state === "unresponsive", "the stuck agent to be reported unresponsive");
      expect(server.health().live).toBe(false);
      expect(reports.find((r) => r.agent === "worker")?.message).toMatch(/agent "worker" is unresponsive: no heartbeat for \d+ ms/);
    } finally {
      const stopped = await server.stop();
      expect(stopped.clean).toBe(false);
      expect(stopped.problems.join("\n")).toContain(`agent "worker"`);
    }
  });

  it("an agent in a long park wakes for a control request and for an event", async () => {
    // `blocking` and no watchdog probes: only the request's doorbell or the producer's signal can wake it.
    const server = await boot(config("./forwarder.ts", "blocking"), { maxParkMs: 20, unresponsiveAfterMs: 600_000 });
    try {
      server.offer("in", 1);
      await server.sink("out").waitFor(1);
      await parkedForGood(server);
      server.offer("in", 2);
      expect(await server.sink("out").waitFor(2)).toEqual([1, 2]);
      await parkedForGood(server);
      const report = await server.stop(); // lifecycle and drain requests to a parked agent
      expect(report).toMatchObject({ clean: true, problems: [], undeliveredEvents: 0 });
    } finally {
      await server.stop();
    }
  });

  // Long parks leave the event loop to timers and I/O; what their callbacks write must wake the agent to flush.
  // `blocking` parks with no timeout (backoff's timeouts keep doubling), and unresponsiveAfterMs is long so
  // that no watchdog probe wakes the agent either.
  it("an agent in a long park flushes what a handler sends from a timer", async () => {
    const server = await boot({
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", idleStrategy: "blocking", eventHandlers: { ticker: { handler: "./ticker.ts" } } }],
    }, { maxParkMs: 20, unresponsiveAfterMs: 600_000 });
    try {
      // 30 ticks take 300 ms: most of them fire while the agent is in a long park.
      const ticks = Array.from({ length: 30 }, (_, i) => i + 1);
      expect((await server.sink("out").waitFor(30, 10_000)).slice(0, 30)).toEqual(ticks);
    } finally {
      await server.stop();
    }
  });

  it("an agent in a long park flushes what its self-driven feed publishes from a timer", async () => {
    const server = await boot({
      eventFeeds: [{ name: "ticks", type: "module", module: "./timer-feed.ts", config: { everyMs: 10 }, broadcast: true, agentName: "worker", idleStrategy: "blocking" }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
    }, { maxParkMs: 20, unresponsiveAfterMs: 600_000 });
    try {
      const ticks = Array.from({ length: 30 }, (_, i) => `tick ${i + 1}`);
      expect((await server.sink("out").waitFor(30, 10_000)).slice(0, 30)).toEqual(ticks);
    } finally {
      await server.stop();
    }
  });
});
