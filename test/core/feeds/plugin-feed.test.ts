import { describe, expect, it } from "bun:test";
import { boot } from "../../helpers.ts";

describe("feed and sink plugins", () => {
  for (const agentName of [undefined, "timer-agent"]) {
    it(`a self-driven plugin feed publishes from its own timers (${agentName ?? "supervisor's thread"})`, async () => {
      const server = await boot({
        eventFeeds: [{ name: "ticks", type: "module", module: "./timer-feed.ts", config: { everyMs: 10 }, broadcast: true, ...(agentName ? { agentName } : {}) }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
      });
      try {
        expect(await server.sink("out").waitFor(3)).toEqual(["tick 1", "tick 2", "tick 3"]);
      } finally {
        await server.stop();
      }
    });
  }

  it("a plugin module that is not a sink fails the boot naming the sink and the file", async () => {
    const attempt = boot({ eventSinks: [{ name: "odd", type: "module", module: "./broken-sink.ts" }] }, { logLevel: "silent" });
    await expect(attempt).rejects.toThrow(`sink "odd" (./broken-sink.ts) on agent "supervisor" failed during load: the export is not a sink: expected a class, a factory or an object with an accept method (SinkPlugin)`);
  });

  it("a missing plugin module fails the boot naming the feed and the file", async () => {
    const attempt = boot({ eventFeeds: [{ name: "ghost", type: "module", module: "./no-such-feed.ts" }] }, { logLevel: "silent" });
    await expect(attempt).rejects.toThrow(/^feed "ghost" \(\.\/no-such-feed\.ts\) on agent "supervisor" failed during load: file not found: .*no-such-feed\.ts/);
  });
});
