import { describe, expect, it } from "bun:test";
import { boot } from "../helpers.ts";

describe("dead letters", () => {
  it("events a handler fails on go to the dead-letter sink with the handler, feed and sequence number", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }, { name: "dlq", type: "memory" }],
      eventHandlers: [{ agentName: "risky", eventHandlers: { fragile: { handler: "./failing.ts", configMap: { failEvery: 2 } } } }],
      deadLetter: "dlq",
    }, { logLevel: "silent" });
    try {
      for (let i = 1; i <= 4; i++) server.offer("in", i);
      await server.sink("dlq").waitFor(2);
    } finally {
      await server.stop();
    }
    expect(server.sink("dlq").values()).toEqual([2, 4].map((n) => ({
      reason: "handler-error",
      feed: "in",
      handler: "fragile",
      sequenceNumber: n,
      time: expect.any(String),
      error: `TypeError: cannot handle ${n}`,
      event: n,
    })));
    expect(server.counter("dead_letter_total", { reason: "handler-error" })).toBe(2);
  });

  it("without a dead-letter sink, events a mapper rejects are logged and counted, never silently dropped", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true, valueMapper: "json" }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "p", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
    }, { logLevel: "silent" });
    try {
      server.offer("in", "{bad json");
      server.offer("in", `{"good":true}`);
      await server.sink("out").waitFor(1);
    } finally {
      await server.stop();
    }
    expect(server.sink("out").values()).toEqual([{ good: true }]);
    expect(server.counter("dead_letter_total", { reason: "parse-error" })).toBe(1);
    expect(server.errors().some((e) => e.phase === "parse-error" && e.component === "in")).toBe(true);
  });
});
