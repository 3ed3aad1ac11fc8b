import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { BootError, ConfigError, type MongooseConfig, MongooseServer, type ServiceContext } from "../../src/mod.ts";
import { boot, eventually, FIXTURES, tempDir } from "../helpers.ts";

const lines = (file: string) => readFileSync(file, "utf8").trim().split("\n");

type Used = { handler: string; agent?: string; id?: string; n?: number; error?: string; registered?: string; deregistered?: string };

for (const inline of [false, true]) {
  describe(`services (${inline ? "inline" : "worker"} agents)`, () => {
    it("starts services before the handlers of their agent and stops them after", async () => {
      const temp = tempDir();
      try {
        const server = await boot({
          eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
          eventSinks: [{ name: "out", type: "memory" }],
          services: [{ name: "svc", handler: "./service-recorder.ts", configMap: { logFile: temp.path("calls.log") } }],
          eventHandlers: [{ agentName: "worker", eventHandlers: { h: { handler: "./lifecycle-recorder.ts", configMap: { logFile: temp.path("calls.log") } } } }],
        }, { inline });
        server.offer("in", "a");
        await server.sink("out").waitFor(1);
        expect((await server.stop()).clean).toBe(true);
        expect(lines(temp.path("calls.log"))).toEqual([
          "svc init", "h init",
          "svc start", "h start",
          "svc startComplete", "h startComplete",
          "h onEvent 1",
          "h stop", "svc stop",
          "h tearDown", "svc tearDown",
        ]);
      } finally {
        temp.cleanup();
      }
    });

    it("gives every handler of an agent the same agent-local instance (from init on), and each agent its own", async () => {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }],
        services: [{ name: "sequence", handler: "./sequence-service.ts" }],
        eventHandlers: [
          { agentName: "a", eventHandlers: { a1: { handler: "./service-user.ts" }, a2: { handler: "./service-user.ts" } } },
          { agentName: "b", eventHandlers: { b1: { handler: "./service-user.ts" } } },
        ],
      }, { inline });
      try {
        for (let i = 0; i < 3; i++) server.offer("in", i);
        const used = await server.sink<Used>("out").waitFor(9);
        const onA = used.filter((u) => u.agent === "a");
        const onB = used.filter((u) => u.agent === "b");
        expect(new Set(onA.map((u) => u.id)).size).toBe(1);
        expect(new Set(onB.map((u) => u.id)).size).toBe(1);
        expect(onA[0].id).not.toBe(onB[0].id);
        // One counter shared by both handlers of agent a: 1..6 in delivery order.
        expect(onA.map((u) => u.n)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(onB.map((u) => u.n)).toEqual([1, 2, 3]);
        expect(server.services()).toEqual([{ name: "sequence", kind: "agent-local", agents: ["a", "b"], publishes: [] }]);
      } finally {
        await server.stop();
      }
    });

    it("runs a worker service on its own agent: handlers receive what it publishes, it receives from a pipe", async () => {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }, { name: "replies", type: "memory" }],
        pipes: [{ name: "requests", broadcast: false }],
        services: [{
          name: "counter",
          handler: "./counting-service.ts",
          agentName: "svc-agent",
          publishes: ["counts"],
          configMap: { feed: "counts", count: 50, subscribe: ["requests"], sink: "replies" },
        }],
        eventHandlers: [{
          agentName: "processor",
          eventHandlers: {
            listener: { handler: "./subscriber.ts", configMap: { subscribe: ["counts"] } },
            asker: { handler: "./forwarder.ts", configMap: { sink: "requests.sink" } },
          },
        }],
      }, { inline });
      try {
        const counts = await server.sink<{ feed: string; event: number; handler: string }>("out").waitUntil((values) => values.filter((v) => v.handler === "listener").length >= 50);
        expect(counts.filter((v) => v.handler === "listener").map((v) => v.event)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        expect(counts.every((v) => v.handler !== "listener" || v.feed === "counts")).toBe(true);
        server.offer("in", "ping");
        expect(await server.sink("replies").waitFor(1)).toEqual(["svc:ping"]);
        expect(server.topology().feeds.find((f) => f.name === "counts")).toMatchObject({ type: "service", host: "svc-agent", subscribers: ["processor"] });
        expect(server.services()).toEqual([{ name: "counter", kind: "worker", agents: ["svc-agent"], publishes: ["counts"] }]);
      } finally {
        expect((await server.stop()).clean).toBe(true);
      }
    });

    it("hands a worker service to the handlers sharing its agent, and tells the others where it lives", async () => {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }],
        services: [{ name: "sequence", handler: "./sequence-service.ts", agentName: "a" }],
        eventHandlers: [
          { agentName: "a", eventHandlers: { near: { handler: "./service-user.ts" } } },
          { agentName: "b", eventHandlers: { far: { handler: "./service-user.ts", configMap: { late: true } } } },
        ],
      }, { inline });
      try {
        server.offer("in", 1);
        const used = await server.sink<Used>("out").waitFor(2);
        expect(used.find((u) => u.handler === "near")).toMatchObject({ agent: "a", n: 1 });
        expect(used.find((u) => u.handler === "far")!.error).toBe(
          `handler "far" on agent "b" asked for service "sequence": it is a worker service on agent "a", and agents share no objects; send to it through a pipe it subscribes to`,
        );
      } finally {
        expect((await server.stop()).clean).toBe(true);
      }
    });

    it("adds and removes a service at runtime, telling the handlers of its agents; removing an unknown name does nothing", async () => {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "a", eventHandlers: { user: { handler: "./service-user.ts", configMap: { late: true } } } }],
      }, { inline });
      try {
        const out = server.sink<Used>("out");
        server.offer("in", 0);
        expect((await out.waitFor(1))[0].error).toBe(`handler "user" on agent "a" asked for service "sequence": no such service (services: none)`);

        const info = await server.addService({ name: "sequence", handler: "./sequence-service.ts" });
        expect(info).toEqual({ name: "sequence", kind: "agent-local", agents: ["a"], publishes: [] });
        const registered = (await out.waitFor(2))[1];
        expect(registered).toMatchObject({ handler: "user", registered: "sequence" });
        server.offer("in", 1);
        server.offer("in", 2);
        const used = (await out.waitFor(4)).slice(2);
        expect(used.map((u) => [u.id, u.n])).toEqual([[registered.id, 1], [registered.id, 2]]);

        expect(await server.removeService("sequence")).toBe(true);
        expect((await out.waitFor(5))[4]).toEqual({ handler: "user", deregistered: "sequence" });
        server.offer("in", 3);
        expect((await out.waitFor(6))[5].error).toBe(`handler "user" on agent "a" asked for service "sequence": no such service (services: none)`);
        expect(server.services()).toEqual([]);

        expect(await server.removeService("never-added")).toBe(false);
        expect(out.values().length).toBe(6);
      } finally {
        expect((await server.stop()).clean).toBe(true);
      }
    });

    it("refuses a runtime service it cannot place, leaving nothing behind", async () => {
      const temp = tempDir();
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "a", eventHandlers: { user: { handler: "./service-user.ts", configMap: { late: true } } } }],
      }, { inline });
      try {
        await expect(server.addService({ name: "x", handler: "./sequence-service.ts", agentName: "ghost" })).rejects.toThrow(`cannot add service "x": agent "ghost" is not running (agents: a)`);
        await expect(server.addService({ name: "user", handler: "./sequence-service.ts" })).rejects.toThrow(`cannot add service "user": a handler has that name`);
        await expect(server.addService({ name: "x", handler: "./sequence-service.ts", agentName: "a", publishes: ["q"] })).rejects.toThrow(`the feeds a service publishes come from the configuration (publishes: q)`);
        await expect(server.addService({ name: "x", handlr: "./x.ts" } as never)).rejects.toThrow(ConfigError);
        // An instance that fails to start is torn down again and the service is not registered.
        const failing = { name: "bad", handler: "./service-recorder.ts", configMap: { logFile: temp.path("calls.log"), failIn: "init" } };
        // (caught rather than `expect().rejects`: Bun's rejects blocks this thread, so the worker's reply would never arrive)
        const refused = await server.addService(failing).catch((error) => error);
        expect(refused.message).toBe(`cannot add service "bad": service "bad" on agent "a" failed during init: Error: bad refuses to init`);
        // Like any component, one whose init threw is not torn down (it never completed init).
        expect(lines(temp.path("calls.log"))).toEqual(["bad init"]);
        expect(server.services()).toEqual([]);
        expect(server.sink("out").values()).toEqual([]);
      } finally {
        expect((await server.stop()).clean).toBe(true);
        temp.cleanup();
      }
    });
  });
}

describe("services: errors", () => {
  it("reports a worker service publishing to a feed it did not declare, or subscribing without onEvent, naming both", async () => {
    const server = await boot({
      eventSinks: [{ name: "out", type: "memory" }],
      pipes: [{ name: "requests" }],
      services: [
        { name: "stray", handler: "./counting-service.ts", agentName: "svc-agent", publishes: ["counts"], configMap: { feed: "elsewhere", count: 1 } },
      ],
      eventHandlers: [{ agentName: "a", eventHandlers: { listener: { handler: "./subscriber.ts", configMap: { subscribe: ["counts"] } } } }],
    });
    try {
      await eventually(() => server.errors().some((e) => e.component === "stray"), "the service's doWork failure to be reported");
      expect(server.errors().find((e) => e.component === "stray")).toMatchObject({
        source: "service",
        agent: "svc-agent",
        phase: "doWork",
        message: `Error: service "stray" on agent "svc-agent" cannot publish to "elsewhere": it publishes counts`,
      });
    } finally {
      await server.stop();
    }
    const deaf = await boot({
      pipes: [{ name: "requests" }],
      services: [{ name: "deaf", handler: { start: (ctx: ServiceContext) => ctx.subscribe("requests") }, agentName: "svc-agent" }],
    }).catch((e) => e);
    expect(deaf).toBeInstanceOf(BootError);
    expect(deaf.message).toContain(`service "deaf" on agent "svc-agent" failed during start: Error: service "deaf" cannot subscribe to "requests": it has no onEvent method to receive events`);
  });

  it("fails the boot when a handler asks for an unknown service, naming the known ones", async () => {
    const config: MongooseConfig = {
      services: [{ name: "rates", handler: "./sequence-service.ts" }, { name: "limits", handler: "./sequence-service.ts" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { user: { handler: "./service-user.ts", configMap: { service: "ratez" } } } }],
    };
    const error = await boot(config).catch((e) => e);
    expect(error).toBeInstanceOf(BootError);
    expect(error.message).toContain(`handler "user" (./service-user.ts) on agent "a" failed during init: Error: handler "user" on agent "a" asked for service "ratez": no such service (services: rates, limits)`);
  });

  it("tells a handler on another agent where a worker service lives and how to reach it", async () => {
    const error = await boot({
      services: [{ name: "counter", handler: "./counting-service.ts", agentName: "svc-agent", publishes: ["counts"] }],
      eventHandlers: [{ agentName: "a", eventHandlers: { user: { handler: "./service-user.ts", configMap: { service: "counter" } } } }],
    }).catch((e) => e);
    expect(error.message).toContain(`asked for service "counter": it is a worker service on agent "svc-agent", and agents share no objects; subscribe to the feeds it publishes (counts)`);
  });

  it("reports service configuration problems located in the YAML, with nothing started", async () => {
    const yaml = [
      "services:",
      "  - name: rates",
      "    handler: ./sequence-service.ts",
      "    publishes: [quotes]",
      "  - name: rates",
      "    handler: ./missing-service.ts",
      "",
    ].join("\n");
    const error = await MongooseServer.bootYaml(yaml, { sourceName: "app.yaml", baseDir: FIXTURES, logLevel: "error" }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.problems).toEqual([
      `app.yaml:4:16 services[0].publishes: an agent-local service (no agentName) runs on its handlers' agents; only a worker service (with agentName) publishes feeds`,
      `app.yaml:5:11 services[1].name: duplicate service name "rates"`,
      expect.stringMatching(/^app\.yaml:6:14 services\[1\]\.handler: \.\/missing-service\.ts: file not found: /),
    ]);
  });
});
