import { describe, expect, it } from "bun:test";
import type { MongooseConfig, MongooseServer } from "../../src/mod.ts";
import { boot, eventually, sleep } from "../helpers.ts";

/** One call of a retry-probe handler, as recorded on sink "log". */
interface Call {
  handler: string;
  event: unknown;
  ok: boolean;
}

interface Letter {
  reason: string;
  handler?: string;
  sink?: string;
  event: unknown;
}

type BreakerConfig = { failures?: number; windowMs?: number; openMs?: number; whenOpen?: "deadLetter" | "hold" };

/** A worker agent with a Flaky handler on feed "in" (failing every event until released) and a Releaser on feed "gate". */
function config(circuitBreaker: BreakerConfig): MongooseConfig {
  return {
    eventFeeds: [{ name: "in", type: "memory" }, { name: "gate", type: "memory" }],
    eventSinks: [{ name: "log", type: "memory" }, { name: "dlq", type: "memory" }],
    eventHandlers: [{
      agentName: "guarded",
      eventHandlers: {
        flaky: { handler: "./retry-probe.ts#Flaky", configMap: { feeds: ["in"], failAllUntilReleased: true }, circuitBreaker },
        releaser: { handler: "./retry-probe.ts#Releaser", configMap: { feeds: ["gate"] } },
      },
    }],
    deadLetter: "dlq",
    admin: { port: 0 },
  };
}

const flakyCalls = (server: MongooseServer) => server.sink<Call>("log").values().filter((c) => c.handler === "flaky");
const letters = (server: MongooseServer) => server.sink<Letter>("dlq").values();
const handlerCircuit = (server: MongooseServer) => server.topology().agents.find((a) => a.name === "guarded")!.handlers.find((h) => h.name === "flaky")!.circuit;

/** Offers events from `first` on until one reaches the handler (the half-open probe); returns it. Each is either dead-lettered or called. */
async function offerUntilCalled(server: MongooseServer, first: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (let event = first; Date.now() < deadline; event++) {
    server.offer("in", event);
    const outcome = () => flakyCalls(server).some((c) => c.event === event) || letters(server).some((l) => l.event === event && l.reason === "circuit-open");
    while (!outcome()) await sleep(5);
    if (flakyCalls(server).some((c) => c.event === event)) return event;
    await sleep(20);
  }
  throw new Error("no event reached the handler within 30 s: the circuit never went half-open");
}

describe("circuit breaker on a handler", () => {
  it("opens after `failures` failures, dead-letters without calling while open, re-opens on a failed probe and closes on a good one", async () => {
    const server = await boot(config({ failures: 3, windowMs: 60_000, openMs: 3_000 }), { logLevel: "silent" });
    try {
      for (const event of [1, 2, 3]) server.offer("in", event);
      await server.sink("dlq").waitFor(3);
      expect(server.counter("handler_circuit_state", { handler: "flaky" })).toBe(1);
      expect(handlerCircuit(server)).toBe("open");
      for (const event of [4, 5]) server.offer("in", event);
      await server.sink("dlq").waitFor(5);
      expect(letters(server).slice(3)).toEqual([4, 5].map((event) => expect.objectContaining({ reason: "circuit-open", handler: "flaky", feed: "in", event })));
      expect(flakyCalls(server).length).toBe(3);

      const failedProbe = await offerUntilCalled(server, 6);
      await server.sink<Letter>("dlq").waitUntil((all) => all.some((l) => l.event === failedProbe && l.reason === "handler-error"));
      expect(server.counter("handler_circuit_state", { handler: "flaky" })).toBe(1);

      server.offer("gate", "release");
      await server.sink<Call>("log").waitUntil((log) => log.some((c) => c.handler === "releaser"));
      const goodProbe = await offerUntilCalled(server, failedProbe + 1);
      await server.sink<Call>("log").waitUntil((log) => log.some((c) => c.event === goodProbe && c.ok));
      expect(server.counter("handler_circuit_state", { handler: "flaky" })).toBe(0);
      expect(handlerCircuit(server)).toBe("closed");
      server.offer("in", 1000);
      await server.sink<Call>("log").waitUntil((log) => log.some((c) => c.event === 1000 && c.ok));

      const metrics = await (await fetch(new URL("/metrics", server.adminUrl!))).text();
      expect(metrics).toContain(`mongoose_handler_circuit_state{agent="guarded",handler="flaky"} 0`);
      expect(metrics).toMatch(/# TYPE mongoose_handler_circuit_state gauge/);
      expect(metrics).toMatch(/mongoose_dead_letter_total\{agent="guarded",reason="circuit-open"\} [1-9]/);
      const topology = await (await fetch(new URL("/api/topology", server.adminUrl!))).json() as { agents: { name: string; handlers: { name: string; circuit?: string }[] }[] };
      expect(topology.agents.find((a) => a.name === "guarded")!.handlers).toEqual([
        { name: "flaky", subscriptions: ["in"], circuit: "closed" },
        { name: "releaser", subscriptions: ["gate"] },
      ]);
    } finally {
      await server.stop();
    }
    // Calls: the 3 that opened it, the failed probe, the good probe, the event after.
    expect(flakyCalls(server).map((c) => c.ok)).toEqual([false, false, false, false, true, true]);
    const rejected = letters(server).filter((l) => l.reason === "circuit-open").length;
    expect(server.counter("handler_circuit_rejected_total", { handler: "flaky" })).toBe(rejected);
    expect(server.counter("handler_events_total", { handler: "flaky" })).toBe(rejected + 6);
  });

  it("whenOpen: hold keeps events while open and hands them over in order once the probe succeeded", async () => {
    const server = await boot(config({ failures: 1, windowMs: 60_000, openMs: 200, whenOpen: "hold" }), { logLevel: "silent" });
    try {
      server.offer("in", 1);
      await server.sink("dlq").waitFor(1);
      for (const event of [2, 3, 4]) server.offer("in", event);
      server.offer("gate", "release");
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.handler === "flaky" && c.ok).length >= 3, 10_000, "held events handled");
    } finally {
      await server.stop();
    }
    expect(flakyCalls(server).map((c) => [c.event, c.ok])).toEqual([[1, false], [2, true], [3, true], [4, true]]);
    expect(letters(server)).toEqual([expect.objectContaining({ reason: "handler-error", event: 1 })]);
    expect(server.counter("handler_circuit_rejected_total", { handler: "flaky" })).toBeGreaterThanOrEqual(1);
  });
});

describe("circuit breaker on a sink", () => {
  it("opens after `failures` failed values, then dead-letters values without calling the sink, counted and shown in topology", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory" }],
      eventSinks: [
        { name: "picky", type: "module", module: "./picky-sink.ts", agentName: "sinks", circuitBreaker: { failures: 2, windowMs: 60_000, openMs: 600_000 } },
        { name: "dlq", type: "memory" },
      ],
      eventHandlers: [{ agentName: "p", eventHandlers: { forward: { handler: "./forwarder.ts", configMap: { subscribe: ["in"], sink: "picky" } } } }],
      deadLetter: "dlq",
    }, { logLevel: "silent" });
    try {
      for (const value of ["bad-1", "bad-2", "good-3", "good-4"]) server.offer("in", value);
      await server.sink("dlq").waitFor(2);
      expect(server.topology().sinks.find((s) => s.name === "picky")!.circuit).toBe("open");
    } finally {
      await server.stop();
    }
    expect(letters(server)).toEqual(["good-3", "good-4"].map((event) => expect.objectContaining({ reason: "circuit-open", sink: "picky", event })));
    expect(server.counter("sink_errors_total", { sink: "picky" })).toBe(2);
    expect(server.counter("sink_written_total", { sink: "picky" })).toBe(2);
    expect(server.counter("sink_circuit_rejected_total", { sink: "picky" })).toBe(2);
    expect(server.counter("sink_circuit_state", { sink: "picky" })).toBe(1);
  });

  it("whenOpen: hold leaves values in the sink's rings while open; the probe and the rest follow, none dead-lettered", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory" }],
      eventSinks: [
        { name: "picky", type: "module", module: "./picky-sink.ts", agentName: "sinks", circuitBreaker: { failures: 1, windowMs: 60_000, openMs: 300, whenOpen: "hold" } },
        { name: "dlq", type: "memory" },
      ],
      eventHandlers: [{ agentName: "p", eventHandlers: { forward: { handler: "./forwarder.ts", configMap: { subscribe: ["in"], sink: "picky" } } } }],
      deadLetter: "dlq",
    }, { logLevel: "silent" });
    try {
      server.offer("in", "bad-1");
      await eventually(() => server.counter("sink_circuit_state", { sink: "picky" }) === 1, "the sink's circuit to open");
      for (const value of ["good-2", "good-3"]) server.offer("in", value);
      await eventually(() => server.counter("sink_written_total", { sink: "picky" }) === 3, "all three values handed to the sink");
    } finally {
      await server.stop();
    }
    expect(server.counter("sink_written_total", { sink: "picky" })).toBe(3);
    expect(server.counter("sink_errors_total", { sink: "picky" })).toBe(1);
    expect(server.counter("sink_circuit_state", { sink: "picky" })).toBe(0);
    expect(server.counter("sink_circuit_rejected_total", { sink: "picky" })).toBe(0);
    expect(letters(server)).toEqual([]);
  });
});
