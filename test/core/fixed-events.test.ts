import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { CodecError, defineEvent, type MongooseServer } from "../../src/mod.ts";
import { boot, eventually, tempDir } from "../helpers.ts";

const TICK = defineEvent("Tick", { id: "i32", px: "f64", sym: "ascii(4)" });

type Described = { feed: string; seq: number; fixed: boolean; value: unknown };
const described = (server: MongooseServer, sink = "out") => server.sink<Described>(sink).values().filter((v) => "fixed" in v);

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-fixed-")));
afterEach(() => temp.cleanup());

describe("fixed-layout events through the engine", () => {
  it("encode offered plain objects in the feed's layout and reach a worker handler as flyweights, valid only during onEvent", async () => {
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [{ name: "ticks", type: "memory", broadcast: true, eventType: "Tick" }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "processor", eventHandlers: { rec: { handler: "./fixed-recorder.ts", configMap: { keep: true } } } }],
    });
    try {
      server.offer("ticks", { id: 1, px: 1.25, sym: "AAPL" });
      server.offer("ticks", { id: -7, px: -0, sym: "TOOLONG" });
      await server.sink("out").waitFor(2);
    } finally {
      await server.stop();
    }
    expect(described(server)).toEqual([
      { feed: "ticks", seq: 1, fixed: true, value: { id: 1, px: 1.25, sym: "AAPL" } },
      { feed: "ticks", seq: 2, fixed: true, value: { id: -7, px: -0, sym: "TOOL" } },
    ]);
    // The handler kept the first event: the flyweight had moved on to the second one.
    expect(server.sink("out").values().at(-1)).toEqual({ keptNowReads: { id: -7, px: -0, sym: "TOOL" } });
  });

  it("refuse an offered object that does not fit the layout, naming the field, and deliver nothing", async () => {
    const server = await boot({
      eventTypes: { Tick: TICK.fields },
      eventFeeds: [{ name: "ticks", type: "memory", broadcast: true, eventType: "Tick" }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "processor", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
    });
    try {
      expect(() => server.offer("ticks", { id: 1, px: "high", sym: "AAPL" })).toThrow(CodecError);
      expect(() => server.offer("ticks", { id: 1, px: 2, sym: "AAPL", venue: "X" })).toThrow(/venue/);
      server.offer("ticks", { id: 3, px: 2, sym: "MSFT" });
      await server.sink("out").waitFor(1);
    } finally {
      await server.stop();
    }
    expect(described(server).map((d) => d.value)).toEqual([{ id: 3, px: 2, sym: "MSFT" }]);
  });

  for (const batch of [false, true]) it(`are claimed ${batch ? "in batches (ctx.claimBatch)" : "one by one"} and written in place by a plugin feed, reaching one subscriber, two subscribers and a pre-start cache alike`, async () => {
    for (const variant of ["one subscriber", "two subscribers", "cached"] as const) {
      const handlers = variant === "two subscribers"
        ? [{ agentName: "a", eventHandlers: { recA: { handler: "./fixed-recorder.ts", configMap: { sink: "outA" } } } }, { agentName: "b", eventHandlers: { recB: { handler: "./fixed-recorder.ts", configMap: { sink: "outB" } } } }]
        : [{ agentName: "a", eventHandlers: { recA: { handler: "./fixed-recorder.ts", configMap: { sink: "outA" } } } }];
      const server = await boot({
        eventTypes: [TICK],
        eventFeeds: [{ name: "ticks", type: "module", module: "./claim-feed.ts", broadcast: true, eventType: "Tick", cacheEventLog: variant === "cached", config: { count: 500, perCycle: 7, batch } }],
        eventSinks: [{ name: "outA", type: "memory" }, { name: "outB", type: "memory" }],
        eventHandlers: handlers,
      });
      const sinks = variant === "two subscribers" ? ["outA", "outB"] : ["outA"];
      try {
        for (const sink of sinks) await server.sink(sink).waitFor(500);
      } finally {
        await server.stop();
      }
      for (const sink of sinks) {
        const values = described(server, sink);
        expect(values.map((d) => d.seq)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
        expect(values.every((d) => d.fixed)).toBe(true);
        expect(values[499].value).toEqual({ id: 500, px: 125, sym: "S0" });
        expect(values.every((d, i) => (d.value as { id: number }).id === i + 1)).toBe(true);
      }
    }
  });

  for (const batch of [false, true]) it(`go on after a plugin feed throws between ${batch ? "claimBatch" : "claim"} and publish: the claim is abandoned, nothing is lost or dropped, the error is reported`, async () => {
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [{ name: "ticks", type: "module", module: "./claim-feed.ts", broadcast: true, eventType: "Tick", config: { count: 300, perCycle: 7, failAt: 100, failInStop: true, batch } }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
    }, { logLevel: "silent" });
    let report;
    try {
      await server.sink("out").waitFor(300);
    } finally {
      report = await server.stop();
    }
    // Tick 100 was claimed, abandoned and claimed again; the stop step's plain tick 301 was queued behind
    // its own abandoned claim and still went out.
    const values = described(server);
    expect(values.map((d) => (d.value as { id: number }).id)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    expect(values.map((d) => d.seq)).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    expect(server.counter("feed_dropped_total", { feed: "ticks" })).toBe(0);
    expect(report.undeliveredEvents).toBe(0);
    expect(server.errors().map((e) => `${e.component} ${e.phase}: ${e.message}`)).toEqual([
      `ticks doWork: Error: claim-feed: failed after claiming ${batch ? "a batch holding tick" : "tick"} 100`,
      "ticks stop: Error: claim-feed: failed in stop after claiming",
    ]);
  });

  it("claimed in batches reach handlers in order with tracing on too (the traced ring reader takes batch records)", async () => {
    const server = await boot({
      eventTypes: [TICK],
      tracing: {},
      eventFeeds: [{ name: "ticks", type: "module", module: "./claim-feed.ts", broadcast: true, eventType: "Tick", config: { count: 50, perCycle: 20, batch: true } }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
    });
    try {
      await server.sink("out").waitFor(50);
    } finally {
      await server.stop();
    }
    expect(described(server).map((d) => [d.seq, (d.value as { id: number }).id])).toEqual(Array.from({ length: 50 }, (_, i) => [i + 1, i + 1]));
  });

  for (const batch of [false, true]) it(`claimed ${batch ? "in batches" : "one by one"} wait for a full ring that blocks, and lose nothing`, async () => {
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [{ name: "ticks", type: "module", module: "./claim-feed.ts", broadcast: true, eventType: "Tick", ringCapacity: 1024, config: { count: 400, perCycle: 40, batch } }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { slow: { handler: "./slow.ts", configMap: { delayMicros: 20 } } } }],
    }, { logLevel: "silent" });
    let stalls = 0;
    try {
      await server.sink("out").waitFor(400);
      stalls = server.topology().rings.find((ring) => ring.kind === "feed" && ring.name === "ticks")!.stalls;
    } finally {
      await server.stop();
    }
    expect(server.sink<{ id: number }>("out").values().map((tick) => tick.id)).toEqual(Array.from({ length: 400 }, (_, i) => i + 1));
    expect(stalls).toBeGreaterThan(0); // a 1 KiB ring holds fewer than the 40 events of one duty cycle
  });

  it("refuse a misused batch claim with a clear error, and the feed goes on publishing", async () => {
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [
        { name: "ticks", type: "module", module: "./batch-misuse-feed.ts", broadcast: true, eventType: "Tick", config: { misuses: ["zero", "outside", "twice", "claimWhileOpen", "atAfterPublish"] } },
        { name: "plain", type: "module", module: "./batch-misuse-feed.ts", broadcast: true, config: { misuses: [] } },
      ],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
    }, { logLevel: "silent" });
    try {
      await server.sink("out").waitFor(3);
      await eventually(() => server.errors().length >= 6, "six doWork errors");
    } finally {
      await server.stop();
    }
    expect(described(server).map((d) => [d.seq, d.value])).toEqual([1, 2, 3].map((id) => [id, { id, px: id - 1, sym: "OK" }]));
    expect(server.errors().map((e) => `${e.component}: ${e.message}`).sort()).toEqual([
      `plain: Error: feed "plain" has no eventType: claimBatch() is for fixed-layout feeds`,
      "ticks: Error: Tick batch: already published or abandoned",
      "ticks: Error: Tick batch: claim a batch before filling it (this one was published or abandoned)",
      `ticks: Error: feed "ticks": publish the claimed event or batch before claiming again`,
      "ticks: RangeError: Tick batch: event 2 is outside the batch of 2",
      "ticks: RangeError: claimBatch: the count must be a positive integer, got 0",
    ]);
  });

  it("keep the reused envelope of wrapWithNamedEvent numbered by one per event", async () => {
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [{ name: "ticks", type: "memory", broadcast: true, eventType: "Tick", wrapWithNamedEvent: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "processor", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
    });
    try {
      for (let id = 1; id <= 3; id++) server.offer("ticks", { id, px: id, sym: "X" });
      await server.sink("out").waitFor(3);
    } finally {
      await server.stop();
    }
    expect(described(server).map(({ seq, fixed, value }) => ({ seq, fixed, id: (value as { id: number }).id }))).toEqual([
      { seq: 1, fixed: true, id: 1 },
      { seq: 2, fixed: true, id: 2 },
      { seq: 3, fixed: true, id: 3 },
    ]);
  });

  it("written to a pipe by the thousand in one onEvent reach a subscriber on the writer's own agent each as written", async () => {
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [{ name: "numbers", type: "memory" }],
      pipes: [{ name: "ticks", eventType: "Tick" }],
      eventSinks: [{ name: "local", type: "memory" }],
      eventHandlers: [{
        agentName: "writer",
        eventHandlers: {
          write: { handler: "./tick-writer.ts", configMap: { subscribe: ["numbers"], pipe: "ticks.sink", type: "Tick", repeat: 3000 } },
          localRec: { handler: "./fixed-recorder.ts", configMap: { subscribe: ["ticks"], sink: "local" } },
        },
      }],
    });
    try {
      await eventually(() => server.topology().feeds.find((f) => f.name === "numbers")!.subscribers.length > 0, "the writer to subscribe");
      server.offer("numbers", 1);
      server.offer("numbers", 2);
      await server.sink("local").waitFor(6000);
    } finally {
      await server.stop();
    }
    // 6000 copies queued in two duty cycles: more than one copy arena's worth (64 KiB of 24-byte ticks).
    expect(described(server, "local").map((d) => d.value)).toEqual(Array.from({ length: 6000 }, (_, i) => ({ id: i + 1, px: (i + 1) * 1.5, sym: `T${i + 1}`.slice(0, 4) })));
  });

  it("travel through a pipe from ctx.newEvent to subscribers on other agents and on the writer's own agent", async () => {
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [{ name: "numbers", type: "memory" }],
      pipes: [{ name: "ticks", eventType: "Tick" }],
      eventSinks: [{ name: "remote", type: "memory" }, { name: "local", type: "memory" }],
      eventHandlers: [
        {
          agentName: "writer",
          eventHandlers: {
            write: { handler: "./tick-writer.ts", configMap: { subscribe: ["numbers"], pipe: "ticks.sink", type: "Tick" } },
            localRec: { handler: "./fixed-recorder.ts", configMap: { subscribe: ["ticks"], sink: "local" } },
          },
        },
        { agentName: "reader", eventHandlers: { remoteRec: { handler: "./fixed-recorder.ts", configMap: { subscribe: ["ticks"], sink: "remote" } } } },
      ],
    });
    try {
      await eventually(() => server.topology().feeds.find((f) => f.name === "numbers")!.subscribers.length > 0, "the writer to subscribe");
      for (let n = 1; n <= 20; n++) server.offer("numbers", n);
      await server.sink("remote").waitFor(20);
      await server.sink("local").waitFor(20);
    } finally {
      await server.stop();
    }
    const expected = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, px: (i + 1) * 1.5, sym: `T${i + 1}` }));
    for (const sink of ["remote", "local"]) {
      const values = described(server, sink);
      expect(values.every((d) => d.fixed && d.feed === "ticks")).toBe(true);
      expect(values.map((d) => d.value)).toEqual(expected);
    }
  });

  it("are accepted by sinks: a memory sink keeps copies, a file sink writes them as JSON", async () => {
    const file = temp.path("ticks.jsonl");
    const server = await boot({
      eventTypes: [TICK],
      eventFeeds: [{ name: "ticks", type: "memory", broadcast: true, eventType: "Tick" }],
      eventSinks: [{ name: "out", type: "memory" }, { name: "copies", type: "memory" }, { name: "file", type: "file", filename: file, valueMapper: "json" }],
      eventHandlers: [
        { agentName: "a", eventHandlers: { toMemory: { handler: "./fixed-recorder.ts", configMap: { forward: "copies" } } } },
        { agentName: "b", eventHandlers: { toFile: { handler: "./forwarder.ts", configMap: { sink: "file" } } } },
      ],
    });
    try {
      for (let id = 1; id <= 3; id++) server.offer("ticks", { id, px: id / 2, sym: "AB" });
      await server.sink("copies").waitFor(3);
      await eventually(() => readFileSync(file, "utf8").split("\n").length > 3, "three lines in the file");
    } finally {
      await server.stop();
    }
    const expected = [1, 2, 3].map((id) => ({ id, px: id / 2, sym: "AB" }));
    expect(server.sink("copies").values()).toEqual(expected);
    expect(readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line))).toEqual(expected);
  });

  it("mix with generic and string events on one agent, each feed in order, for batch sizes 1, 3 and 256", async () => {
    for (const batchSize of [1, 3, 256]) {
      const server = await boot({
        eventTypes: [TICK],
        agentThreads: [{ agentName: "mixed", batchSize }],
        eventFeeds: [
          { name: "ticks", type: "memory", broadcast: true, eventType: "Tick" },
          { name: "objects", type: "memory", broadcast: true },
          { name: "lines", type: "memory", broadcast: true },
        ],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "mixed", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
      });
      try {
        for (let i = 1; i <= 300; i++) {
          server.offer("ticks", { id: i, px: i, sym: "T" });
          server.offer("objects", { i, nested: [i] });
          server.offer("lines", `line ${i}`);
        }
        await server.sink("out").waitFor(900);
      } finally {
        await server.stop();
      }
      const byFeed = (feed: string) => described(server).filter((d) => d.feed === feed);
      expect(byFeed("ticks").map((d) => [d.fixed, (d.value as { id: number }).id])).toEqual(Array.from({ length: 300 }, (_, i) => [true, i + 1]));
      expect(byFeed("objects").map((d) => d.value)).toEqual(Array.from({ length: 300 }, (_, i) => ({ i: i + 1, nested: [i + 1] })));
      expect(byFeed("lines").map((d) => d.value)).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    }
  });
});
