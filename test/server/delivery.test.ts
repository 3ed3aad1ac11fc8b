import { describe, expect, it } from "bun:test";
import { runtime } from "../../src/runtime/mod.ts";
import { boot, seededRandom } from "../helpers.ts";

type Forwarded = { handler: string; feed: string; seq: number; event: unknown };

describe("delivery", () => {
  it("a broadcast feed delivers every value, in order, to a handler on another thread", async () => {
    const server = await boot({
      eventFeeds: [{ name: "numbers", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker-agent", eventHandlers: { probe: { handler: "./thread-probe.ts" } } }],
    });
    try {
      const sink = server.sink("out");
      const [hello] = await sink.waitFor(1);
      const mainTid = (await runtime.loadLibc())?.gettid();
      expect(typeof (hello as { tid: number }).tid).toBe("number");
      expect((hello as { tid: number }).tid).not.toBe(mainTid);
      const values = Array.from({ length: 5000 }, (_, i) => ({ i, label: `value-${i}` }));
      for (const value of values) server.offer("numbers", value);
      const received = await sink.waitFor(values.length + 1);
      expect(received.slice(1)).toEqual(values);
      expect(server.topology().agents.find((a) => a.name === "worker-agent")?.mode).toBe("worker");
    } finally {
      await server.stop();
    }
  });

  it("named feeds reach only the handlers that subscribe to them", async () => {
    const server = await boot({
      eventFeeds: ["news", "prices", "orders"].map((name) => ({ name, type: "memory" as const })),
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{
        agentName: "filter-agent",
        eventHandlers: {
          subscribed: { handler: "./subscriber.ts", configMap: { subscribe: ["news", "prices"] } },
          idle: { handler: "./subscriber.ts" },
        },
      }],
    });
    try {
      for (let i = 0; i < 10; i++) for (const feed of ["news", "prices", "orders"]) server.offer(feed, `${feed}-${i}`);
      const sink = server.sink<Forwarded>("out");
      const received = await sink.waitFor(20);
      await server.stop();
      expect(sink.size).toBe(20);
      expect(new Set(received.map((r) => r.handler))).toEqual(new Set(["subscribed"]));
      for (const feed of ["news", "prices"]) {
        expect(received.filter((r) => r.feed === feed).map((r) => r.event)).toEqual(Array.from({ length: 10 }, (_, i) => `${feed}-${i}`));
      }
      expect(server.counter("feed_unrouted_total", { feed: "orders" })).toBe(10);
      expect(server.topology().agents[1].handlers).toEqual([
        { name: "subscribed", subscriptions: ["news", "prices"] },
        { name: "idle", subscriptions: [] },
      ]);
    } finally {
      await server.stop();
    }
  });

  it("randomized traffic over several feeds and agents arrives complete and FIFO per feed", async () => {
    const random = seededRandom(20261127);
    const feeds = ["a", "b", "c", "d"];
    const server = await boot({
      eventFeeds: feeds.map((name, i) => ({ name, type: "memory" as const, broadcast: i % 2 === 0 })),
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [
        { agentName: "agent-1", idleStrategy: "busySpin", eventHandlers: { h1: { handler: "./subscriber.ts", configMap: { subscribe: ["b"] } } } },
        { agentName: "agent-2", idleStrategy: "blocking", eventHandlers: { h2: { handler: "./subscriber.ts", configMap: { subscribe: ["b", "d"] } } } },
        { agentName: "agent-3", eventHandlers: { h3: { handler: "./subscriber.ts" } } },
      ],
    }, { ringCapacity: 4096 });
    try {
      const sent = new Map(feeds.map((f) => [f, [] as number[]]));
      const total = 20_000;
      for (let i = 0; i < total; i++) {
        const feed = feeds[Math.floor(random() * feeds.length)];
        const value = Math.floor(random() * 1e9);
        sent.get(feed)!.push(value);
        server.offer(feed, value);
      }
      const receivers: Record<string, string[]> = { h1: ["a", "c", "b"], h2: ["a", "c", "b", "d"], h3: ["a", "c"] };
      const expected = Object.entries(receivers).reduce((n, [, fs]) => n + fs.reduce((m, f) => m + sent.get(f)!.length, 0), 0);
      const received = await server.sink<Forwarded>("out").waitFor(expected, 60_000);
      const report = await server.stop();
      expect(report.clean).toBe(true);
      expect(server.sink("out").size).toBe(expected);
      for (const [handler, handlerFeeds] of Object.entries(receivers)) {
        for (const feed of handlerFeeds) {
          const got = received.filter((r) => r.handler === handler && r.feed === feed);
          expect(got.map((r) => r.event)).toEqual(sent.get(feed)!);
          expect(got.map((r) => r.seq)).toEqual(sent.get(feed)!.map((_, i) => i + 1));
        }
      }
      expect(server.topology().rings.some((ring) => ring.stalls > 0)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it("wrapWithNamedEvent hands handlers {feedName, sequenceNumber, data}", async () => {
    const server = await boot({
      eventFeeds: [{ name: "ticks", type: "memory", broadcast: true, wrapWithNamedEvent: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "w", eventHandlers: { s: { handler: "./subscriber.ts" } } }],
    });
    try {
      server.offer("ticks", "x");
      server.offer("ticks", { y: 1 });
      const received = await server.sink<Forwarded>("out").waitFor(2);
      expect(received.map((r) => r.event)).toEqual([
        { feedName: "ticks", sequenceNumber: 1, data: "x" },
        { feedName: "ticks", sequenceNumber: 2, data: { y: 1 } },
      ]);
    } finally {
      await server.stop();
    }
  });

  it("carries events far larger than a ring, intact", async () => {
    const server = await boot({
      eventFeeds: [{ name: "big", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "w", eventHandlers: { s: { handler: "./subscriber.ts" } } }],
    }, { ringCapacity: 64 * 1024 });
    try {
      const text = "é✓".repeat(1_500_000) + "end";
      const object = { rows: Array.from({ length: 50_000 }, (_, i) => ({ i, s: `row ${i}` })) };
      server.offer("big", text);
      server.offer("big", object);
      const received = await server.sink<Forwarded>("out").waitFor(2, 30_000);
      expect(received[0].event).toBe(text);
      expect(received[1].event).toEqual(object);
    } finally {
      await server.stop();
    }
  });

  it("refuses a value it cannot encode with a clear error, and loses nothing around it", async () => {
    const server = await boot({
      eventFeeds: [{ name: "f", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "w", eventHandlers: { s: { handler: "./subscriber.ts" } } }],
    });
    try {
      server.offer("f", 1);
      expect(() => server.offer("f", { when: new Date(0) })).toThrow(/feed "f": cannot encode an instance of Date.* at \.when/);
      expect(() => server.offer("missing", 1)).toThrow(/no memory feed named "missing"/);
      server.offer("f", 2);
      const received = await server.sink<Forwarded>("out").waitFor(2);
      expect(received.map((r) => [r.seq, r.event])).toEqual([[1, 1], [2, 2]]);
    } finally {
      await server.stop();
    }
  });

  it("values a handler sends from a timer reach the sink with no events arriving", async () => {
    const server = await boot({
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "timer-agent", idleStrategy: "blocking", eventHandlers: { ticker: { handler: "./ticker.ts" } } }],
    });
    try {
      expect(await server.sink("out").waitFor(5, 5_000)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await server.stop();
    }
  });

  it("a broadcast feed that a handler also subscribes to by name delivers each event once", async () => {
    const server = await boot({
      eventFeeds: [{ name: "news", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "w", eventHandlers: { both: { handler: "./subscriber.ts", configMap: { subscribe: ["news"] } } } }],
    });
    try {
      server.offer("news", "a");
      server.offer("news", "b");
      await server.sink("out").waitFor(2);
    } finally {
      await server.stop();
    }
    expect(server.sink<Forwarded>("out").values().map((r) => r.event)).toEqual(["a", "b"]);
  });
});
