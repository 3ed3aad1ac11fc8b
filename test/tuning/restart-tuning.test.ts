import { describe, expect, it } from "bun:test";
import { boot, tempDir } from "../helpers.ts";

describe("runtime tuning and supervision", () => {
  it("a worker agent restarted after a crash gets its tuning back before it runs again", async () => {
    const folder = tempDir("mongoose-tuning-restart-");
    const server = await boot({
      agentThreads: [{ agentName: "risky", restart: "always", restartBackoffMs: 0 }],
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "risky", eventHandlers: { crasher: { handler: "./crasher.ts", configMap: { journal: folder.path("journal"), marker: folder.path("marker") } } } }],
    }, { logLevel: "silent", requestTimeoutMs: 20_000 });
    const out = server.sink("out");
    const ring = () => server.topology().rings.find((r) => r.name === "in" && r.consumer === "risky")!;
    /** Polls of more than one event so far. */
    const largerPolls = () => ring().batchSizes.slice(1).reduce((sum, polls) => sum + polls, 0);
    try {
      await server.setBatchSize("risky", 1);
      await server.setIdleStrategy("risky", "blocking");
      server.offer("in", "die");
      server.offer("in", "after");
      await out.waitFor(1, 60_000); // a restart under heavy load: the new worker boots and starts its components
      expect(server.health().agents.find((a) => a.name === "risky")?.restarts).toBeGreaterThanOrEqual(1);

      // The new thread takes one event per poll again, even from a backlog held for it.
      const before = largerPolls();
      await server.pauseHandler("risky/crasher", "hold");
      for (let i = 0; i < 100; i++) server.offer("in", i);
      await server.resumeHandler("risky/crasher");
      await out.waitFor(101, 60_000);
      expect(largerPolls()).toBe(before);
      expect(server.topology().agents.find((a) => a.name === "risky")).toMatchObject({ idleStrategy: "blocking", batchSize: 1, tuned: ["idleStrategy", "batchSize"] });
    } finally {
      await server.stop();
      folder.cleanup();
    }
  }, 180_000);
});
