import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../../src/config/plan.ts";
import type { Endpoint } from "../../../src/core/protocol.ts";
import { RingRegistry } from "../../../src/core/supervisor/ring-registry.ts";

const handler = { onEvent() {} };
const plan = buildPlan({
  eventFeeds: [
    { name: "ticks", type: "memory", broadcast: true },
    { name: "orders", type: "memory" },
  ],
  eventSinks: [{ name: "out", type: "memory" }],
  pipes: [{ name: "enriched", broadcast: false }],
  eventHandlers: [
    { agentName: "a", eventHandlers: { h1: { handler }, h2: { handler } } },
    { agentName: "b", eventHandlers: { h3: { handler } } },
  ],
}, { inline: true });

const signals = new Map(plan.agents.map((agent) => [agent.name, new SharedArrayBuffer(64)]));
const registry = () => new RingRegistry(plan, 1024, (agent) => signals.get(agent)!);
/** The endpoints of a batch as "agent kind name" lines, sorted. */
const ends = (batch: Map<string, Endpoint[]>) =>
  [...batch].flatMap(([agent, endpoints]) => endpoints.map((e) => `${agent} ${e.kind} ${"feed" in e ? e.feed : e.sink}`)).sort();

describe("ring registry", () => {
  it("creates the rings the plan determines: each broadcast feed into every agent with handlers, and records those subscriptions", () => {
    const rings = registry();
    expect(ends(rings.planned())).toEqual([
      "a feedConsumer ticks",
      "b feedConsumer ticks",
      "supervisor feedProducer ticks",
      "supervisor feedProducer ticks",
    ]);
    expect(rings.subscriptionsOf("a")).toEqual(new Map([["h1", new Set(["ticks"])], ["h2", new Set(["ticks"])]]));
    expect(rings.ringInfo().map((r) => `${r.producer}→${r.consumer} ${r.name}`)).toEqual(["supervisor→a ticks", "supervisor→b ticks"]);
  });

  it("connects what an agent asks for once per agent, however many of its handlers ask", () => {
    const rings = registry();
    rings.planned();
    const asked = rings.connect("a", { subscriptions: [{ handler: "h1", feed: "orders" }, { handler: "h2", feed: "orders" }, { handler: "h1", feed: "ticks" }], sinks: ["out", "out"] });
    expect(ends(asked)).toEqual(["a feedConsumer orders", "a sinkProducer out", "supervisor feedProducer orders", "supervisor sinkConsumer out"]);
    expect(ends(rings.connect("a", { subscriptions: [{ handler: "h1", feed: "orders" }], sinks: ["out"] }))).toEqual([]);
    expect(rings.subscriptionsOf("a").get("h2")).toEqual(new Set(["ticks", "orders"]));
  });

  it("wires a pipe from every writer to every other subscriber, whichever comes first, and never to the writer itself", () => {
    const rings = registry();
    expect(ends(rings.connect("a", { subscriptions: [{ handler: "h1", feed: "enriched" }], sinks: [] }))).toEqual([]);
    expect(ends(rings.connect("b", { subscriptions: [], sinks: ["enriched.sink"] }))).toEqual(["a feedConsumer enriched", "b feedProducer enriched"]);
    expect(ends(rings.connect("a", { subscriptions: [], sinks: ["enriched.sink"] }))).toEqual([]);
    expect(ends(rings.connect("b", { subscriptions: [{ handler: "h3", feed: "enriched" }], sinks: [] }))).toEqual(["a feedProducer enriched", "b feedConsumer enriched"]);
    expect(rings.hasPipes).toBe(true);
    expect(rings.pipeRingStats()).toHaveLength(2);
  });

  it("hands the producing end the consumer's signal words, so it can wake the consumer", () => {
    const rings = registry();
    const producer = rings.planned().get("supervisor")!.find((e) => e.kind === "feedProducer" && e.consumerAgent === "b");
    expect(producer?.kind === "feedProducer" && producer.consumerSignals).toBe(signals.get("b")!);
  });

  it("ignores names the plan does not have (the agent reports those to the handler itself)", () => {
    expect(ends(registry().connect("a", { subscriptions: [{ handler: "h1", feed: "nope" }], sinks: ["nope"] }))).toEqual([]);
  });
});
