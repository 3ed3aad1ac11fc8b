import { describe, expect, it } from "bun:test";
import { boot } from "../../helpers.ts";

describe("interval feed", () => {
  for (const agentName of [undefined, "clock-agent"]) {
    it(`sends a heartbeat {count, time} every periodMs (${agentName ? "on a worker agent" : "on the supervisor's thread"})`, async () => {
      const server = await boot({
        eventFeeds: [{ name: "heartbeat", type: "interval", periodMs: 20, broadcast: true, ...(agentName ? { agentName, idleStrategy: "blocking" as const } : {}) }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
      });
      let beats: { count: number; time: number }[];
      try {
        beats = await server.sink<{ count: number; time: number }>("out").waitFor(5);
      } finally {
        await server.stop();
      }
      expect(beats.map((b) => b.count)).toEqual([1, 2, 3, 4, 5]);
      for (let i = 1; i < beats.length; i++) expect(beats[i].time).toBeGreaterThanOrEqual(beats[i - 1].time);
      expect(Math.abs(beats[0].time - Date.now())).toBeLessThan(60_000);
    });
  }
});
