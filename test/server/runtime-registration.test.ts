import { describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { ConfigError, type MongooseServer, RegistrationError } from "../../src/mod.ts";
import { boot, eventually, tempDir } from "../helpers.ts";

/** What the subscriber fixture forwards for each event. */
interface Seen {
  handler: string;
  feed: string;
  seq: number;
  event: unknown;
}

const CONFIG = {
  eventFeeds: [
    { name: "in", type: "memory" as const },
    { name: "ticks", type: "memory" as const, broadcast: true },
  ],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [{ agentName: "proc", eventHandlers: { first: { handler: "./subscriber.ts", configMap: { subscribe: ["in"] } } } }],
};

const seen = (server: MongooseServer) => server.sink<Seen>("out").values();
const eventsOf = (server: MongooseServer, handler: string, feed = "in") => seen(server).filter((s) => s.handler === handler && s.feed === feed).map((s) => s.event);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const offerRange = (server: MongooseServer, from: number, to: number, feed = "in") => range(from, to).forEach((n) => server.offer(feed, n));

/** What registration may change: agents with their handlers, feeds with their hosts, rings. */
function shape(server: MongooseServer) {
  const topology = server.topology();
  return {
    agents: topology.agents.map((a) => ({ name: a.name, handlers: a.handlers, feeds: a.feeds })),
    feeds: topology.feeds.map((f) => ({ name: f.name, host: f.host, subscribers: f.subscribers })),
    rings: topology.rings.map((r) => `${r.kind} ${r.name} ${r.producer}→${r.consumer}`),
    counters: server.counters().map((c) => JSON.stringify(c.labels) + c.name),
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

for (const inline of [false, true]) {
  const mode = inline ? "inline" : "worker";
  const start = () => boot(CONFIG, { inline });

  describe(`runtime registration (${mode} agents)`, () => {
    it("adds a handler to an existing agent: it starts, and receives exactly the events published from then on", async () => {
      const server = await start();
      offerRange(server, 1, 50);
      await server.sink("out").waitFor(50);
      const added = await server.addHandler({ agentName: "proc", name: "second", handler: "./subscriber.ts", configMap: { subscribe: ["in"] } });
      expect(added).toEqual({ name: "proc/second", agent: "proc", newAgent: false });
      offerRange(server, 51, 100);
      server.offer("ticks", "tick");
      await server.sink("out").waitFor(50 + 50 + 50 + 2);
      const report = await server.stop();
      expect(report.clean).toBe(true);
      expect(eventsOf(server, "first")).toEqual(range(1, 100));
      expect(eventsOf(server, "second")).toEqual(range(51, 100));
      // Broadcast feeds reach it like a handler from the configuration.
      expect(eventsOf(server, "second", "ticks")).toEqual(["tick"]);
      const proc = server.topology().agents.find((a) => a.name === "proc")!;
      expect(proc.handlers.map((h) => ({ ...h, subscriptions: h.subscriptions.toSorted() }))).toEqual([
        { name: "first", subscriptions: ["in", "ticks"] },
        { name: "second", subscriptions: ["in", "ticks"] },
      ]);
    });

    it("adds a handler to a new agent, with its own idle strategy and counters", async () => {
      const server = await start();
      const added = await server.addHandler({ agentName: "late-agent", name: "late", handler: "./subscriber.ts", configMap: { subscribe: ["in"] }, idleStrategy: "blocking" });
      expect(added).toEqual({ name: "late-agent/late", agent: "late-agent", newAgent: true });
      offerRange(server, 1, 20);
      server.offer("ticks", "tick");
      await server.sink("out").waitFor(20 + 20 + 1 + 1);
      expect(eventsOf(server, "late")).toEqual(range(1, 20));
      expect(eventsOf(server, "late", "ticks")).toEqual(["tick"]);
      const agent = server.topology().agents.find((a) => a.name === "late-agent")!;
      expect(agent).toMatchObject({ mode, idleStrategy: "blocking", state: "running", handlers: [{ name: "late" }] });
      expect(agent.handlers[0].subscriptions.toSorted()).toEqual(["in", "ticks"]);
      await eventually(() => server.counter("handler_events_total", { agent: "late-agent", handler: "late" }) === 21, "the added handler's counter");
      expect(server.counter("agent_duty_cycles_total", { agent: "late-agent" })).toBeGreaterThan(0);
      expect((await server.stop()).clean).toBe(true);
    });

    it("adds an in-process handler (a class) on a new agent, which runs inline; a worker agent refuses one", async () => {
      const server = await start();
      const got: unknown[] = [];
      class Collector {
        start(ctx: { subscribe(feed: string): void }) {
          ctx.subscribe("in");
        }
        onEvent(event: unknown) {
          got.push(event);
        }
      }
      await server.addHandler({ agentName: "local-agent", name: "collector", handler: Collector });
      expect(server.topology().agents.find((a) => a.name === "local-agent")?.mode).toBe("inline");
      offerRange(server, 1, 5);
      await eventually(() => got.length === 5, "events at the in-process handler");
      expect(got).toEqual(range(1, 5));
      if (!inline) {
        const refused = await rejection(server.addHandler({ agentName: "proc", name: "collector", handler: Collector }));
        expect((refused as ConfigError).problems).toEqual([`addHandler.handler: an in-process handler (class, factory or object) cannot be sent to worker agent "proc"; give a module path, or use an inline agent`]);
      }
      expect((await server.stop()).clean).toBe(true);
    });

    it("runs an added then removed handler's whole lifecycle on its agent, and what it sends while stopping arrives", async () => {
      const files = tempDir();
      try {
        const logFile = files.path("calls.log");
        const server = await start();
        await server.addHandler({ agentName: "proc", name: "late", handler: "./lifecycle-recorder.ts", configMap: { logFile } });
        server.offer("ticks", "a");
        await server.sink("out").waitFor(2); // first (its {handler…} record) and late
        await server.removeHandler("proc", "late");
        server.offer("ticks", "b");
        await server.sink("out").waitFor(4);
        expect((await server.stop()).clean).toBe(true);
        expect(readFileSync(logFile, "utf8").trim().split("\n")).toEqual(["late init", "late start", "late startComplete", "late onEvent 1", "late stop", "late tearDown"]);
        expect(server.sink("out").values()).toContain("late stopped");
      } finally {
        files.cleanup();
      }
    });

    it("removes a handler while events flow: it gets nothing more, the others lose nothing, its counters and topology entry are gone", async () => {
      const server = await start();
      await server.addHandler({ agentName: "proc", name: "second", handler: "./subscriber.ts", configMap: { subscribe: ["in"] } });
      let next = 1;
      const removing = server.removeHandler("proc/second");
      // Keep publishing while the removal runs (each turn of the loop lets the removal's steps proceed).
      while (next <= 2_000) {
        server.offer("in", next++);
        if (next % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await removing;
      const afterRemoval = next;
      offerRange(server, afterRemoval, afterRemoval + 99);
      const total = afterRemoval + 99;
      await eventually(() => eventsOf(server, "first").length === total, "every event at the remaining handler");
      expect(eventsOf(server, "first")).toEqual(range(1, total));
      const second = eventsOf(server, "second") as number[];
      expect(second).toEqual(range(1, second.length)); // a prefix: in order, none lost or repeated before it left
      expect(second.length).toBeLessThan(afterRemoval);
      const proc = server.topology().agents.find((a) => a.name === "proc")!;
      expect(proc.handlers.map((h) => h.name)).toEqual(["first"]);
      expect(server.counters().filter((c) => c.labels.handler === "second")).toEqual([]);
      expect((await server.stop()).clean).toBe(true);
    });

    it("closes and drains a ring no handler on its agent needs any more; other agents are not affected", async () => {
      const server = await start();
      await server.addHandler({ agentName: "solo-agent", name: "solo", handler: "./subscriber.ts", configMap: { subscribe: ["in"] } });
      offerRange(server, 1, 300);
      await server.removeHandler("solo-agent/solo");
      offerRange(server, 301, 400);
      await eventually(() => eventsOf(server, "first").length === 400, "every event at the other agent");
      expect(eventsOf(server, "first")).toEqual(range(1, 400));
      const solo = eventsOf(server, "solo") as number[];
      expect(solo).toEqual(range(1, solo.length));
      expect(shape(server).rings.filter((r) => r.startsWith("feed") && r.endsWith("→solo-agent"))).toEqual([]);
      // The agent stays, idle, with no handlers.
      expect(server.topology().agents.find((a) => a.name === "solo-agent")?.handlers).toEqual([]);
      expect((await server.stop()).clean).toBe(true);
    });

    it("adds a broadcast memory feed: every handler receives it, and offer works", async () => {
      const server = await start();
      expect(await server.addFeed({ name: "late-feed", type: "memory", broadcast: true })).toEqual({ name: "late-feed", agent: "supervisor", newAgent: false });
      offerRange(server, 1, 10, "late-feed");
      await server.sink("out").waitFor(10);
      expect(eventsOf(server, "first", "late-feed")).toEqual(range(1, 10));
      expect(server.topology().feeds.find((f) => f.name === "late-feed")).toMatchObject({ type: "memory", broadcast: true, host: "supervisor", subscribers: ["proc"] });
      expect(server.counter("feed_published_total", { feed: "late-feed" })).toBe(10);
      expect((await server.stop()).clean).toBe(true);
    });

    it("adds a feed that handlers added later subscribe to", async () => {
      const server = await start();
      await server.addFeed({ name: "orders", type: "memory" });
      await server.addHandler({ agentName: "proc", name: "orders-reader", handler: "./subscriber.ts", configMap: { subscribe: ["orders"] } });
      offerRange(server, 1, 5, "orders");
      await server.sink("out").waitFor(5);
      expect(eventsOf(server, "orders-reader", "orders")).toEqual(range(1, 5));
      expect(eventsOf(server, "first", "orders")).toEqual([]);
      expect((await server.stop()).clean).toBe(true);
    });

    it("adds a file feed on a new agent, which stays idle until a handler added later subscribes, then reads", async () => {
      const files = tempDir();
      try {
        writeFileSync(files.path("lines.txt"), "alpha\nbeta\ngamma\n");
        const server = await start();
        const added = await server.addFeed({ name: "lines", type: "file", filename: files.path("lines.txt"), readStrategy: "ONCE_EARLIEST", agentName: "reader-agent" });
        expect(added).toEqual({ name: "lines", agent: "reader-agent", newAgent: true });
        await server.addHandler({ agentName: "proc", name: "reader", handler: "./subscriber.ts", configMap: { subscribe: ["lines"] } });
        await server.sink("out").waitFor(3);
        expect(eventsOf(server, "reader", "lines")).toEqual(["alpha", "beta", "gamma"]);
        expect((await server.stop()).clean).toBe(true);
      } finally {
        files.cleanup();
      }
    });

    it("a COMMITTED file feed added at runtime moves its read pointer once the subscribers' outputs are written", async () => {
      const files = tempDir();
      try {
        const input = files.path("lines.txt");
        writeFileSync(input, "alpha\nbeta\ngamma\n");
        const server = await start();
        await server.addFeed({ name: "lines", type: "file", filename: input, readStrategy: "COMMITTED", agentName: "reader-agent" });
        await server.addHandler({ agentName: "proc", name: "reader", handler: "./subscriber.ts", configMap: { subscribe: ["lines"] } });
        await server.sink("out").waitFor(3);
        const pointer = () => {
          try {
            return JSON.parse(readFileSync(`${input}.readPointer`, "utf8")).offset as number;
          } catch {
            return -1;
          }
        };
        await eventually(() => pointer() === 17, "the pointer to move past the 3 lines while the server runs");
        expect((await server.stop()).clean).toBe(true);
        expect(pointer()).toBe(17);
      } finally {
        files.cleanup();
      }
    });

    it("removes a feed: what it published is delivered, then its rings close and it is gone", async () => {
      const server = await start();
      await server.addFeed({ name: "late-feed", type: "memory", broadcast: true });
      offerRange(server, 1, 500, "late-feed");
      await server.removeFeed("late-feed");
      await server.sink("out").waitFor(500);
      expect(eventsOf(server, "first", "late-feed")).toEqual(range(1, 500));
      expect(() => server.offer("late-feed", 501)).toThrow(`no memory feed named "late-feed"`);
      const after = shape(server);
      expect(after.feeds.map((f) => f.name)).toEqual(["in", "ticks"]);
      expect(after.rings.filter((r) => r.includes("late-feed"))).toEqual([]);
      expect(after.counters.filter((c) => c.includes("late-feed"))).toEqual([]);
      expect(server.topology().agents.find((a) => a.name === "proc")!.handlers[0].subscriptions.toSorted()).toEqual(["in", "ticks"]);
      // A feed from the configuration can go too; the others keep flowing.
      await server.removeFeed("ticks");
      offerRange(server, 1, 3);
      await eventually(() => eventsOf(server, "first").length === 3, "events on the remaining feed");
      expect((await server.stop()).clean).toBe(true);
    });

    it("refuses bad registrations with a clear error and leaves the server unchanged", async () => {
      const server = await start();
      const before = shape(server);
      const duplicate = await rejection(server.addHandler({ agentName: "proc", name: "first", handler: "./subscriber.ts" }));
      expect(duplicate).toBeInstanceOf(ConfigError);
      expect((duplicate as ConfigError).problems).toEqual([`addHandler.name: agent "proc" already has a handler "first"`]);
      const badKey = await rejection(server.addHandler({ agentName: "proc", name: "x", handler: "./subscriber.ts", confMap: {} } as never));
      expect((badKey as ConfigError).problems).toEqual(["addHandler.confMap: unknown key"]);
      const missing = await rejection(server.addHandler({ agentName: "new-agent", name: "ghost", handler: "./no-such-handler.ts" }));
      expect(missing).toBeInstanceOf(RegistrationError);
      expect(missing.message).toContain(`handler "ghost" (./no-such-handler.ts) on agent "new-agent"`);
      const refusesStart = await rejection(server.addHandler({ agentName: "proc", name: "grumpy", handler: "./lifecycle-recorder.ts", configMap: { logFile: "/dev/null", failIn: "start" } }));
      expect(refusesStart.message).toContain(`handler "grumpy" (./lifecycle-recorder.ts) on agent "proc" failed during start`);
      expect(refusesStart.message).toContain("grumpy refuses to start");
      expect((await rejection(server.removeHandler("proc/nobody"))).message).toBe(`cannot remove handler "proc/nobody": agent "proc" has no handler "nobody" (handlers: proc/first)`);
      expect((await rejection(server.removeHandler("nowhere", "first"))).message).toContain(`no agent "nowhere"`);
      expect((await rejection(server.removeHandler("first"))).message).toBe(`cannot remove handler "first": name it "agent/handler" or give the agent and the handler`);
      const badFeed = await rejection(server.addFeed({ name: "f", type: "file", readStrategy: "LATESTT" } as never));
      expect((badFeed as ConfigError).problems).toEqual([
        "addFeed.filename: missing (required)",
        `addFeed.readStrategy: expected one of COMMITTED, COMMITED, EARLIEST, LATEST, ONCE_EARLIEST, ONCE_LATEST, got "LATESTT"`,
      ]);
      expect((await rejection(server.addFeed({ name: "in", type: "memory" }) as Promise<unknown>) as ConfigError).problems).toEqual([`addFeed.name: duplicate feed name "in" (feeds and pipes share one namespace)`]);
      expect((await rejection(server.removeFeed("nope"))).message).toBe(`cannot remove feed "nope": no such feed (feeds: in, ticks)`);
      expect(shape(server)).toEqual(before);
      offerRange(server, 1, 10);
      await server.sink("out").waitFor(10);
      expect(eventsOf(server, "first")).toEqual(range(1, 10));
      expect((await server.stop()).clean).toBe(true);
    });

    it("runs changes one at a time, and refuses them once a stop began", async () => {
      const server = await start();
      const results = await Promise.allSettled([
        server.addHandler({ agentName: "proc", name: "twin", handler: "./subscriber.ts", configMap: { subscribe: ["in"] } }),
        server.addHandler({ agentName: "proc", name: "twin", handler: "./subscriber.ts", configMap: { subscribe: ["in"] } }),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected"]);
      expect(((results[1] as PromiseRejectedResult).reason as ConfigError).problems).toEqual([`addHandler.name: agent "proc" already has a handler "twin"`]);
      const stopping = server.stop();
      const refused = await rejection(server.addFeed({ name: "too-late", type: "memory" }));
      expect(refused).toBeInstanceOf(RegistrationError);
      expect(refused.message).toBe(`cannot add feed: the server is stopping`);
      expect((await stopping).clean).toBe(true);
    });
  });
}
