import { describe, expect, it } from "bun:test";
import { CommandError, type MongooseServer } from "../../src/mod.ts";
import { boot } from "../helpers.ts";

const config = {
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { greeter: { handler: "./configured.ts", configMap: { prefix: "hi" } } } }],
};

/** Rejects with a CommandError of `kind` whose message matches `message`. */
async function failsWith(attempt: Promise<unknown>, kind: string, message: RegExp): Promise<void> {
  const error = await attempt.then(() => undefined, (thrown) => thrown);
  expect(error).toBeInstanceOf(CommandError);
  expect((error as CommandError).kind).toBe(kind);
  expect((error as CommandError).message).toMatch(message);
}

describe("management commands (change a running server through the command registry)", () => {
  for (const inline of [false, true]) {
    it(`update config, add and remove handlers, feeds and services, with clear errors (${inline ? "inline" : "worker"} agents)`, async () => {
      const server: MongooseServer = await boot(config, { inline, logLevel: "silent" });
      const out = server.sink<unknown>("out");
      try {
        // config.update: command-line style, values typed as JSON where they parse.
        const updated = await server.command("config.update", ["greeter", "prefix=\"hello\"", "limit=10"]) as { ok: boolean; config: Record<string, unknown> };
        expect(updated.ok).toBe(true);
        expect(updated.config).toEqual({ prefix: "hello", limit: 10 });
        server.offer("in", 1);
        await out.waitUntil((values) => values.includes("hello:1"));
        await failsWith(server.command("config.update", ["greeter"]), "bad-arguments", /needs at least one key=value/);
        await failsWith(server.command("config.update", ["nobody", "x=1"]), "failed", /nobody/);
        await failsWith(server.command("config.update", ["greeter", "reject=true"]), "failed", /rejected on purpose/);

        // Handlers: object form and command-line form; removal.
        expect(await server.command("server.processors.add", { agentName: "a", name: "second", handler: "./configured.ts", configMap: { prefix: "two" } })).toEqual({ name: "a/second", agent: "a", newAgent: false });
        expect(await server.command("server.processors.add", ["agentName=b", "name=third", "handler=./configured.ts", 'configMap={"prefix":"three"}'])).toEqual({ name: "b/third", agent: "b", newAgent: true });
        server.offer("in", 2);
        await out.waitUntil((values) => ["hello:2", "two:2", "three:2"].every((v) => values.includes(v)));
        expect(await server.command("server.processors.remove", ["b/third"])).toEqual({ removed: true });
        expect(server.topology().agents.find((agent) => agent.name === "b")?.handlers).toEqual([]);
        await failsWith(server.command("server.processors.add", { agentName: "a", name: "second", handler: "./configured.ts", configMap: { prefix: "x" } }), "bad-arguments", /already has a handler "second"/);
        await failsWith(server.command("server.processors.remove", []), "bad-arguments", /needs the handler as agent\/handler/);
        // Names that are not there are the caller's mistake (HTTP 400), not a failure of the server (500).
        await failsWith(server.command("server.processors.remove", ["b/ghost"]), "bad-arguments", /agent "b" has no handler "ghost"/);
        await failsWith(server.command("server.processors.remove", ["nowhere/ghost"]), "bad-arguments", /no agent "nowhere"/);
        await failsWith(server.command("server.processors.remove", ["ghost"]), "bad-arguments", /name it "agent\/handler"/);
        await failsWith(server.command("eventSources.remove", ["ghost"]), "bad-arguments", /cannot remove feed "ghost": no such feed/);

        // Feeds.
        await server.command("eventSources.add", ["name=late", "type=memory", "broadcast=true"]);
        server.offer("late", 3);
        await out.waitUntil((values) => values.includes("hello:3"));
        expect(await server.command("eventSources.remove", ["late"])).toEqual({ removed: true });
        expect(() => server.offer("late", 4)).toThrow(/no memory feed named "late"/);
        await failsWith(server.command("eventSources.add", ["name=bad", "type=nope"]), "bad-arguments", /type/);

        // Services.
        expect(await server.command("server.service.list")).toEqual([]);
        await server.command("server.service.add", { name: "counter", handler: "./counting-service.ts" });
        expect((await server.command("server.service.list") as { name: string }[]).map((s) => s.name)).toEqual(["counter"]);
        expect(await server.command("server.service.remove", ["counter"])).toEqual({ removed: true });
        expect(await server.command("server.service.remove", ["counter"])).toEqual({ removed: false });

        // Every one of them is described by help.
        const help = await server.command("help") as string;
        for (const name of ["config.update", "server.processors.add", "server.processors.remove", "eventSources.add", "eventSources.remove", "server.service.list", "server.service.add", "server.service.remove"]) expect(help).toContain(name);
      } finally {
        expect((await server.stop()).clean).toBe(true);
      }
    });
  }
});
