import { describe, expect, it } from "bun:test";
import type { MongooseConfig } from "../../../src/mod.ts";
import { boot } from "../../helpers.ts";

type Forwarded = { handler: string; feed: string; seq: number; event: unknown };

function config(cacheEventLog: boolean): MongooseConfig {
  return {
    eventFeeds: [{ name: "source", type: "memory" }],
    eventSinks: [{ name: "out", type: "memory" }],
    pipes: [{ name: "enriched", broadcast: false, wrapWithNamedEvent: true, cacheEventLog }],
    eventHandlers: [
      { agentName: "writer-a", eventHandlers: { a: { handler: "./pipe-writer.ts", configMap: { subscribe: ["source"], pipe: "enriched.sink" } } } },
      { agentName: "writer-b", eventHandlers: { b: { handler: "./pipe-writer.ts", configMap: { subscribe: ["source"], pipe: "enriched.sink" } } } },
      { agentName: "reader", eventHandlers: { r: { handler: "./subscriber.ts", configMap: { subscribe: ["enriched"] } } } },
    ],
  };
}

describe("handler pipes", () => {
  it("carry values written in one agent to the pipe's subscribers in another, from several writers, each in order", async () => {
    const server = await boot(config(false));
    try {
      for (let i = 0; i < 200; i++) server.offer("source", i);
      await server.sink<Forwarded>("out").waitUntil((values) => values.filter((v) => typeof (v.event as { data: unknown }).data === "object").length === 400);
    } finally {
      await server.stop();
    }
    const events = server.sink<Forwarded>("out").values().map((v) => v.event as { feedName: string; sequenceNumber: number; data: { from: string; event: number } | string });
    for (const writer of ["a", "b"]) {
      const fromWriter = events.filter((e) => typeof e.data === "object" && e.data.from === writer).map((e) => (e.data as { event: number }).event);
      expect(fromWriter).toEqual(Array.from({ length: 200 }, (_, i) => i));
    }
    expect(new Set(events.map((e) => e.feedName))).toEqual(new Set(["enriched"]));
    const numbers = events.map((e) => e.sequenceNumber);
    expect(new Set(numbers).size).toBe(numbers.length); // one shared sequence per pipe: no number twice
    const rings = server.topology().rings.filter((r) => r.name === "enriched");
    expect(rings.map((r) => `${r.producer}->${r.consumer}`).sort()).toEqual(["writer-a->reader", "writer-b->reader"]);
  });

  it("hold values written before the server started when the pipe caches, and deliver them first, once", async () => {
    const server = await boot(config(true));
    try {
      server.offer("source", 1);
      await server.sink<Forwarded>("out").waitFor(4);
    } finally {
      await server.stop();
    }
    const data = server.sink<Forwarded>("out").values().map((v) => (v.event as { data: unknown }).data);
    expect(data.filter((d) => typeof d === "string").sort()).toEqual(["hello from a", "hello from b"]);
    expect(data.indexOf("hello from a")).toBeLessThan(data.findIndex((d) => (d as { from?: string }).from === "a"));
    expect(data.length).toBe(4);
  });

  it("without caching, values written before any subscriber is connected reach nobody and are counted", async () => {
    const server = await boot(config(false));
    await server.stop();
    const greetings = server.sink<Forwarded>("out").values().filter((v) => typeof (v.event as { data: unknown }).data === "string");
    expect(greetings).toEqual([]);
    expect(server.counter("pipe_unrouted_total", { pipe: "enriched" })).toBe(2);
  });

  it("deliver to a subscriber on the writer's own agent through a local queue", async () => {
    const server = await boot({
      eventFeeds: [{ name: "source", type: "memory" }],
      eventSinks: [{ name: "out", type: "memory" }],
      pipes: [{ name: "loop" }],
      eventHandlers: [{
        agentName: "solo",
        eventHandlers: {
          writer: { handler: "./pipe-writer.ts", configMap: { subscribe: ["source"], pipe: "loop.sink" } },
          reader: { handler: "./subscriber.ts", configMap: { subscribe: [] } },
        },
      }],
    });
    try {
      for (let i = 0; i < 3; i++) server.offer("source", i);
      await server.sink<Forwarded>("out").waitUntil((values) => values.filter((v) => v.handler === "reader" && typeof v.event === "object").length === 3);
    } finally {
      await server.stop();
    }
    const fromLoop = server.sink<Forwarded>("out").values().filter((v) => v.handler === "reader" && v.feed === "loop" && typeof v.event === "object");
    expect(fromLoop.map((v) => (v.event as { event: number }).event)).toEqual([0, 1, 2]);
    expect(server.topology().rings.some((r) => r.name === "loop")).toBe(false);
  });
});
