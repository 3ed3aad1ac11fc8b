import { describe, expect, it } from "bun:test";
import type { EventMeta, HandlerContext, MongooseConfig, Sink } from "../../src/mod.ts";
import { boot, seededRandom } from "../helpers.ts";

type Forwarded = { handler: string; feed: string; seq: number; event: unknown };

const config: MongooseConfig = {
  eventFeeds: [
    { name: "quotes", type: "memory" as const, broadcast: true },
    { name: "orders", type: "memory" as const },
  ],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [
    { agentName: "pricing", eventHandlers: { quoteWatcher: { handler: "./subscriber.ts" } } },
    { agentName: "trading", eventHandlers: { orderWatcher: { handler: "./subscriber.ts", configMap: { subscribe: ["orders"] } } } },
  ],
};

async function runScenario(inline: boolean): Promise<{ received: Forwarded[]; modes: string[] }> {
  const server = await boot(config, { inline, ringCapacity: 2048 });
  const random = seededRandom(7);
  for (let i = 0; i < 5000; i++) server.offer(random() < 0.5 ? "quotes" : "orders", { i, px: Math.round(random() * 1e4) / 100 });
  const report = await server.stop();
  expect(report.clean).toBe(true);
  const received = server.sink<Forwarded>("out").values();
  const byKey = (r: Forwarded) => `${r.handler}/${r.feed}/${String(r.seq).padStart(6, "0")}`;
  return { received: received.sort((a, b) => byKey(a).localeCompare(byKey(b))), modes: server.topology().agents.map((a) => a.mode) };
}

describe("inline agents", () => {
  it("deliver exactly what worker agents deliver", async () => {
    const workers = await runScenario(false);
    const inline = await runScenario(true);
    expect(workers.modes).toEqual(["inline", "worker", "worker"]);
    expect(inline.modes).toEqual(["inline", "inline", "inline"]);
    const quotes = workers.received.filter((r) => r.handler === "quoteWatcher").length;
    expect(workers.received.length).toBe(5000 + quotes); // quotes reach both handlers (broadcast), orders one
    expect(inline.received).toEqual(workers.received);
  });

  it("run handlers given as classes, factories and objects on the calling thread", async () => {
    const seen: string[] = [];
    class AsClass {
      onEvent(event: unknown) { seen.push(`class ${event}`); }
    }
    const asFactory = () => ({ onEvent: (event: unknown) => seen.push(`factory ${event}`) });
    const asObject = {
      out: undefined as Sink<unknown> | undefined,
      start(ctx: HandlerContext) { this.out = ctx.sink("out"); },
      onEvent(event: unknown, meta: EventMeta) { this.out!.accept(`${meta.feed}:${event}`); },
    };
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "local", eventHandlers: { a: { handler: AsClass }, b: { handler: asFactory }, c: { handler: asObject } } }],
    });
    server.offer("in", 1);
    server.offer("in", 2);
    await server.stop();
    expect(seen).toEqual(["class 1", "factory 1", "class 2", "factory 2"]);
    expect(server.sink("out").values()).toEqual(["in:1", "in:2"]);
    expect(server.topology().agents[1].mode).toBe("inline");
  });

  it("an inline handler and a module handler can share an agent", async () => {
    const seen: unknown[] = [];
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "mixed", eventHandlers: { fromFile: { handler: "./subscriber.ts" }, inProcess: { handler: { onEvent: (e: unknown) => seen.push(e) } } } }],
    });
    server.offer("in", "x");
    await server.stop();
    expect(seen).toEqual(["x"]);
    expect(server.sink<Forwarded>("out").values().map((r) => r.event)).toEqual(["x"]);
  });
});
