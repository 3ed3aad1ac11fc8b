import { describe, expect, it } from "bun:test";
import { BackpressureTimeoutError } from "../../src/mod.ts";
import { boot } from "../helpers.ts";

const config = (delayMicros: number, firstDelayMicros = delayMicros) => ({
  eventFeeds: [{ name: "in", type: "memory" as const, broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [{ agentName: "slow-agent", eventHandlers: { slow: { handler: "./slow.ts", configMap: { delayMicros, firstDelayMicros } } } }],
});

describe("backpressure", () => {
  it("a full ring makes the publisher wait, counts the stall, and loses nothing", async () => {
    const server = await boot(config(30), { ringCapacity: 1024 });
    try {
      for (let i = 0; i < 3000; i++) server.offer("in", { i, pad: "x".repeat(40) });
      const received = await server.sink<{ i: number }>("out").waitFor(3000, 30_000);
      expect(received.map((r) => r.i)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
      const ring = server.topology().rings.find((r) => r.kind === "feed")!;
      expect(ring.stalls).toBeGreaterThan(0);
      expect(ring.stallNanos).toBeGreaterThan(0);
      expect(ring.publishedEvents).toBe(3000);
    } finally {
      await server.stop();
    }
  });

  it("a consumer stuck longer than offerTimeoutMs makes offer throw, saying why; nothing is lost silently", async () => {
    const server = await boot(config(0, 2_000_000), { ringCapacity: 1024, offerTimeoutMs: 300 });
    try {
      let accepted = 0;
      let failure: unknown;
      try {
        for (let i = 0; i < 1000; i++) {
          server.offer("in", i);
          accepted++;
        }
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(BackpressureTimeoutError);
      expect((failure as Error).message).toMatch(/ring stayed full for \d+ ms: its consumer is not keeping up or is stuck/);
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(1000);
      const report = await server.stop();
      expect(report.clean).toBe(true);
      expect(server.sink("out").values()).toEqual(Array.from({ length: accepted }, (_, i) => i));
    } finally {
      await server.stop();
    }
  });

  it("an offer that gives up reaches no subscriber at all, not even the fast one", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "fast-out", type: "memory" }, { name: "out", type: "memory" }],
      eventHandlers: [
        { agentName: "fast-agent", eventHandlers: { fast: { handler: "./subscriber.ts", configMap: { sink: "fast-out" } } } },
        { agentName: "stuck-agent", eventHandlers: { stuck: { handler: "./slow.ts", configMap: { delayMicros: 0, firstDelayMicros: 2_000_000 } } } },
      ],
    }, { ringCapacity: 1024, offerTimeoutMs: 300 });
    try {
      let accepted = 0;
      expect(() => {
        for (;; accepted++) server.offer("in", accepted);
      }).toThrow(BackpressureTimeoutError);
      await server.stop();
      const fast = server.sink<{ event: number }>("fast-out").values().map((r) => r.event);
      expect(fast).toEqual(Array.from({ length: accepted }, (_, i) => i));
      expect(server.sink("out").values()).toEqual(Array.from({ length: accepted }, (_, i) => i));
    } finally {
      await server.stop();
    }
  });
});
