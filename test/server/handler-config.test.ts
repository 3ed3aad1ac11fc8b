import { describe, expect, it } from "bun:test";
import { BootError } from "../../src/mod.ts";
import { boot } from "../helpers.ts";

const config = (configMap: Record<string, unknown>, handlers: Record<string, unknown> = {}) => ({
  eventFeeds: [{ name: "in", type: "memory" as const, broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [{ agentName: "processor", eventHandlers: { shaper: { handler: "./configured.ts", configMap }, ...handlers } }],
});

async function bootFailure(configMap: Record<string, unknown>): Promise<BootError> {
  try {
    const server = await boot(config(configMap));
    await server.stop();
  } catch (error) {
    if (error instanceof BootError) return error;
    throw error;
  }
  throw new Error("the boot did not fail");
}

describe("required config keys", () => {
  it("are delivered before the first event", async () => {
    const server = await boot(config({ prefix: "px" }));
    try {
      server.offer("in", 1);
      expect(await server.sink("out").waitFor(1)).toEqual(["px:1"]);
    } finally {
      await server.stop();
    }
  });

  it("fail the boot when missing or mistyped, naming the handler and the key", async () => {
    expect((await bootFailure({})).message).toContain('handler "shaper": required config key "prefix" is missing from its configMap');
    expect((await bootFailure({ prefix: 7 })).message).toContain('handler "shaper": required config key "prefix" must be a string, got 7');
    expect((await bootFailure({ prefix: "p", needsLimit: true, limit: "10" })).message).toContain('required config key "limit" must be a finite number, got "10"');
    expect((await bootFailure({ prefix: "p", needsAnything: true })).message).toContain('required config key "anything" is missing');
    expect((await bootFailure({})).message).toMatch(/handler "shaper" \(\.\/configured\.ts\) on agent "processor"/);
  });
});

describe("live config updates", () => {
  it("apply through onConfigChange on the handler's own thread, between events", async () => {
    const server = await boot(config({ prefix: "old" }));
    try {
      const out = server.sink<unknown>("out");
      server.offer("in", "thread");
      const [, probe] = await out.waitFor(2);
      const result = await server.updateConfig("shaper", { prefix: "new", extra: 1 });
      expect(result).toEqual({ ok: true, agent: "processor", handler: "shaper", config: { prefix: "new", extra: 1 } });
      server.offer("in", 2);
      const values = await out.waitFor(4);
      expect(values[2]).toEqual({ changed: { prefix: "new", extra: 1 }, thread: (probe as { eventThread: string }).eventThread });
      expect(values[3]).toBe("new:2");
      // null removes a key; "agent/handler" names it too.
      expect(await server.updateConfig("processor/shaper", { extra: null })).toMatchObject({ ok: true, config: { prefix: "new" } });
    } finally {
      await server.stop();
    }
  });

  it("reject an invalid update with a message and keep the old config", async () => {
    const server = await boot(config({ prefix: "kept", needsLimit: true, limit: 5 }));
    try {
      expect(await server.updateConfig("shaper", { prefix: null })).toEqual({ ok: false, agent: "processor", handler: "shaper", error: 'required config key "prefix" is missing from its configMap' });
      expect(await server.updateConfig("shaper", { limit: "many" })).toEqual({ ok: false, agent: "processor", handler: "shaper", error: 'required config key "limit" must be a finite number, got "many"' });
      expect(await server.updateConfig("shaper", { prefix: "x", reject: true })).toEqual({ ok: false, agent: "processor", handler: "shaper", error: "onConfigChange rejected it: rejected on purpose" });
      expect(await server.updateConfig("shaper", [1] as unknown as Record<string, unknown>)).toMatchObject({ ok: false, error: "the update must be a map of configMap keys to values, got [1]" });
      expect(await server.updateConfig("nobody", { a: 1 })).toEqual({ ok: false, handler: "nobody", error: 'no handler "nobody" (handlers: processor/shaper)' });
      server.offer("in", 1);
      expect(await server.sink("out").waitFor(1)).toEqual(["kept:1"]);
      // A later good update starts from the old config, untouched by the rejected ones.
      expect(await server.updateConfig("shaper", { prefix: "next" })).toEqual({ ok: true, agent: "processor", handler: "shaper", config: { prefix: "next", needsLimit: true, limit: 5 } });
    } finally {
      await server.stop();
    }
  });

  it("names both agents when a handler name is ambiguous", async () => {
    const server = await boot({
      ...config({ prefix: "a" }),
      eventHandlers: [
        { agentName: "one", eventHandlers: { shaper: { handler: "./configured.ts", configMap: { prefix: "a" } } } },
        { agentName: "two", eventHandlers: { shaper: { handler: "./configured.ts", configMap: { prefix: "b" } } } },
      ],
    });
    try {
      expect(await server.updateConfig("shaper", { prefix: "c" })).toMatchObject({ ok: false, error: 'handler name "shaper" is ambiguous; name the agent: one/shaper, two/shaper' });
      expect(await server.updateConfig("two/shaper", { prefix: "c" })).toMatchObject({ ok: true, agent: "two" });
    } finally {
      await server.stop();
    }
  });

  it("reload applies configMap differences live and reports the rest as needing a restart", async () => {
    const server = await boot(config({ prefix: "old" }));
    try {
      const changed = config({ prefix: "reloaded" });
      const report = await server.reloadConfig({ ...changed, eventHandlers: [{ ...changed.eventHandlers[0], idleStrategy: "blocking" }] });
      expect(report.applied).toEqual([{ ok: true, agent: "processor", handler: "shaper", config: { prefix: "reloaded" } }]);
      expect(report.rejected).toEqual([]);
      expect(report.errors).toEqual([]);
      expect(report.needsRestart).toEqual(["agents.processor.idle.type"]);
      expect(await server.reloadConfig(config({}))).toMatchObject({ applied: [], rejected: [{ ok: false, error: 'required config key "prefix" is missing from its configMap' }] });
      expect((await server.reloadConfig({ eventFeeds: 3 } as never)).errors[0]).toContain("eventFeeds");
      expect((await server.reloadConfig()).errors).toEqual(["no configuration file to reload: the server was not booted from one (pass a file or a configuration)"]);
      server.offer("in", 1);
      expect(await server.sink("out").waitUntil((values) => values.includes("reloaded:1"))).toContain("reloaded:1");
    } finally {
      await server.stop();
    }
  });
});

describe("ctx.emit", () => {
  it("delivers to the emitting handler alone, after the current event, in order, as feed @reentrant", async () => {
    const server = await boot(config({ prefix: "p" }, { echo: { handler: "./echo-emitter.ts" } }));
    try {
      server.offer("in", { emit: ["a", "b"] });
      server.offer("in", { emit: ["c"] });
      const values = await server.sink<unknown>("out").waitUntil((v) => v.filter((x) => typeof x === "object").length === 7);
      const records = values.filter((x) => typeof x === "object") as { feed?: string; done?: unknown }[];
      expect(records.filter((r) => r.feed === "in")).toEqual([
        { event: { emit: ["a", "b"] }, feed: "in", sequenceNumber: 1 },
        { event: { emit: ["c"] }, feed: "in", sequenceNumber: 2 },
      ]);
      expect(records.filter((r) => r.feed === "@reentrant")).toEqual([
        { event: "a", feed: "@reentrant", sequenceNumber: 1 },
        { event: "b", feed: "@reentrant", sequenceNumber: 2 },
        { event: "c", feed: "@reentrant", sequenceNumber: 3 },
      ]);
      // Each emitted event comes after the event that emitted it has finished; whether the second feed
      // event comes before "a" depends on whether both arrived in one duty cycle.
      const at = (predicate: (r: { feed?: string; done?: unknown; event?: unknown }) => boolean) => records.findIndex(predicate);
      expect(at((r) => JSON.stringify(r.done) === '{"emit":["a","b"]}')).toBeLessThan(at((r) => r.event === "a"));
      expect(at((r) => JSON.stringify(r.done) === '{"emit":["c"]}')).toBeLessThan(at((r) => r.event === "c"));
      // The other handler on the agent saw only the feed's two events.
      expect(server.counter("handler_events_total", { handler: "shaper" })).toBe(2);
    } finally {
      await server.stop();
    }
  });
});
