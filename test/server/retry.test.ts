import { describe, expect, it } from "bun:test";
import { BackpressureTimeoutError, type MongooseConfig, type MongooseServer } from "../../src/mod.ts";
import { boot } from "../helpers.ts";

/** One call of a retry-probe handler, as recorded on sink "log". */
interface Call {
  handler: string;
  event: unknown;
  call: number;
  ok: boolean;
  feed?: string;
  sequenceNumber?: number;
}

type RetryConfig = { attempts?: number; backoffMs?: number; maxBackoffMs?: number; ordered?: boolean };

/** A worker agent with a Flaky handler on feed "in" (with `retry`) and a Releaser on feed "gate". */
function config(retry: RetryConfig, flaky: Record<string, unknown>): MongooseConfig {
  return {
    eventFeeds: [{ name: "in", type: "memory" }, { name: "gate", type: "memory" }],
    eventSinks: [{ name: "log", type: "memory" }, { name: "dlq", type: "memory" }],
    eventHandlers: [{
      agentName: "retrying",
      eventHandlers: {
        flaky: { handler: "./retry-probe.ts#Flaky", configMap: { feeds: ["in"], ...flaky }, retry },
        releaser: { handler: "./retry-probe.ts#Releaser", configMap: { feeds: ["gate"] } },
      },
    }],
    deadLetter: "dlq",
  };
}

const calls = (server: MongooseServer) => server.sink<Call>("log").values();
const successes = (server: MongooseServer) => calls(server).filter((c) => c.handler === "flaky" && c.ok).map((c) => c.event);
const failedCalls = (server: MongooseServer, event: unknown) => calls(server).filter((c) => c.handler === "flaky" && c.event === event && !c.ok).length;

describe("retry", () => {
  it("retries a failing event on the agent's scheduler while the agent's other handler goes on; it is handled once", async () => {
    const server = await boot(config({ attempts: 1000, backoffMs: 5, maxBackoffMs: 20 }, { failUntilReleased: [1] }), { logLevel: "silent" });
    try {
      server.offer("in", 1);
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.event === 1 && !c.ok).length >= 2, 10_000, "two failed calls of event 1");
      // The same agent takes the gate's event while event 1 waits for its next retry.
      server.offer("gate", "open");
      await server.sink<Call>("log").waitUntil((log) => log.some((c) => c.event === 1 && c.ok), 10_000, "event 1 handled");
    } finally {
      await server.stop();
    }
    const log = calls(server);
    const released = log.findIndex((c) => c.handler === "releaser");
    const handled = log.findIndex((c) => c.handler === "flaky" && c.ok);
    expect(released).toBeGreaterThan(log.findIndex((c) => c.handler === "flaky" && !c.ok));
    expect(handled).toBeGreaterThan(released);
    expect(successes(server)).toEqual([1]);
    expect(log[handled]).toMatchObject({ feed: "in", sequenceNumber: 1 });
    const failures = failedCalls(server, 1);
    expect(server.counter("handler_retries_total", { handler: "flaky" })).toBe(failures);
    expect(server.counter("handler_retry_successes_total", { handler: "flaky" })).toBe(1);
    expect(server.counter("handler_errors_total", { handler: "flaky" })).toBe(failures);
    expect(server.counter("handler_retries_exhausted_total", { handler: "flaky" })).toBe(0);
    expect(server.sink("dlq").values()).toEqual([]);
  });

  it("ordered: later events of the feed wait for the retrying one", async () => {
    const server = await boot(config({ attempts: 1000, backoffMs: 5, maxBackoffMs: 20, ordered: true }, { failUntilReleased: [1] }), { logLevel: "silent" });
    try {
      for (const event of [1, 2, 3]) server.offer("in", event);
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.event === 1 && !c.ok).length >= 3, 10_000, "three failed calls of event 1");
      expect(successes(server)).toEqual([]);
      server.offer("gate", "open");
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.ok && c.handler === "flaky").length >= 3, 10_000, "three events handled");
    } finally {
      await server.stop();
    }
    expect(successes(server)).toEqual([1, 2, 3]);
    // Events held behind the failing one are called once each.
    expect(calls(server).filter((c) => c.event === 2 || c.event === 3).length).toBe(2);
  });

  it("unordered: later events of the feed go on past the retrying one", async () => {
    const server = await boot(config({ attempts: 1000, backoffMs: 5, maxBackoffMs: 20, ordered: false }, { failUntilReleased: [1] }), { logLevel: "silent" });
    try {
      for (const event of [1, 2, 3]) server.offer("in", event);
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.ok && c.handler === "flaky").length >= 2, 10_000, "events 2 and 3 handled");
      server.offer("gate", "open");
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.ok && c.handler === "flaky").length >= 3, 10_000, "event 1 handled");
    } finally {
      await server.stop();
    }
    expect(successes(server)).toEqual([2, 3, 1]);
  });

  it("retries an event whose onEvent promise rejected, then counts it handled once", async () => {
    const server = await boot(config({ attempts: 4, backoffMs: 1, maxBackoffMs: 4 }, { failTimes: { "5": 2 }, async: true }), { logLevel: "silent" });
    try {
      for (const event of [4, 5, 6]) server.offer("in", event);
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.ok).length >= 3, 10_000, "three events handled");
    } finally {
      await server.stop();
    }
    expect(failedCalls(server, 5)).toBe(2);
    expect(successes(server).sort()).toEqual([4, 5, 6]);
    expect(server.counter("handler_retries_total", { handler: "flaky" })).toBe(2);
    expect(server.counter("handler_retry_successes_total", { handler: "flaky" })).toBe(1);
    expect(server.sink("dlq").values()).toEqual([]);
  });

  it("applies to a handler registered at runtime, on an agent started for it", async () => {
    const server = await boot(config({ attempts: 2 }, {}), { logLevel: "silent" });
    try {
      await server.addHandler({
        agentName: "late-agent",
        name: "late",
        handler: "./retry-probe.ts#Flaky",
        configMap: { feeds: ["in"], failTimes: { "9": 1 } },
        retry: { attempts: 3, backoffMs: 1, maxBackoffMs: 2 },
      });
      server.offer("in", 9);
      await server.sink<Call>("log").waitUntil((log) => log.some((c) => c.handler === "late" && c.ok), 10_000, "event 9 handled by the late handler");
    } finally {
      await server.stop();
    }
    expect(calls(server).filter((c) => c.handler === "late").map((c) => c.ok)).toEqual([false, true]);
    expect(server.counter("handler_retry_successes_total", { handler: "late" })).toBe(1);
  });

  it("keeps a fixed-layout event's own bytes for its retry, though the ring slot and flyweight moved on", async () => {
    const server = await boot({
      eventTypes: { Tick: { n: "i32" } },
      eventFeeds: [{ name: "ticks", type: "memory", broadcast: true, eventType: "Tick" }],
      eventSinks: [{ name: "log", type: "memory" }],
      eventHandlers: [{ agentName: "fixed", eventHandlers: { flaky: { handler: "./fixed-flaky.ts", retry: { attempts: 2, backoffMs: 1, maxBackoffMs: 1, ordered: false } } } }],
    }, { logLevel: "silent" });
    try {
      for (let n = 1; n <= 20; n++) server.offer("ticks", { n });
      await server.sink<{ ok: boolean }>("log").waitUntil((log) => log.filter((c) => c.ok).length >= 20, 10_000, "20 retries succeeded");
    } finally {
      await server.stop();
    }
    const retried = server.sink<{ n: number; ok: boolean }>("log").values().filter((c) => c.ok).map((c) => c.n);
    expect(retried.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it("after the last attempt the event is a dead letter with the error, attempts, handler, feed and sequence number", async () => {
    const server = await boot(config({ attempts: 3, backoffMs: 1, maxBackoffMs: 4 }, { failTimes: { "7": -1 } }), { logLevel: "silent" });
    try {
      for (const event of [6, 7, 8]) server.offer("in", event);
      await server.sink("dlq").waitFor(1);
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.ok).length >= 2, 10_000, "events 6 and 8 handled");
    } finally {
      await server.stop();
    }
    expect(server.sink("dlq").values()).toEqual([{
      reason: "handler-error",
      feed: "in",
      handler: "flaky",
      sequenceNumber: 2,
      attempts: 3,
      time: expect.any(String),
      error: "Error: flaky refuses 7 (call 3)",
      event: 7,
    }]);
    expect(failedCalls(server, 7)).toBe(3);
    expect(successes(server)).toEqual([6, 8]);
    expect(server.counter("handler_retries_total", { handler: "flaky" })).toBe(2);
    expect(server.counter("handler_retries_exhausted_total", { handler: "flaky" })).toBe(1);
    expect(server.counter("handler_retry_successes_total", { handler: "flaky" })).toBe(0);
    expect(server.counter("dead_letter_total", { reason: "handler-error" })).toBe(1);
  });

  it("a graceful stop waits for a retry that is due, so the event is not lost", async () => {
    const server = await boot(config({ attempts: 3, backoffMs: 50, maxBackoffMs: 50 }, { failTimes: { "1": 1 } }), { logLevel: "silent" });
    try {
      server.offer("in", 1);
      await server.sink<Call>("log").waitFor(1);
    } finally {
      const report = await server.stop();
      expect(report.clean).toBe(true);
    }
    expect(successes(server)).toEqual([1]);
    expect(server.sink("dlq").values()).toEqual([]);
  });

  it("a stop does not wait out backoffs: the remaining attempts are made at once, then the event is dead-lettered; the events held behind it follow", async () => {
    const server = await boot(config({ attempts: 3, backoffMs: 600_000, maxBackoffMs: 600_000 }, { failTimes: { "1": -1 } }), { logLevel: "silent" });
    let clean = false;
    try {
      for (const event of [1, 2]) server.offer("in", event);
      await server.sink<Call>("log").waitFor(1);
    } finally {
      clean = (await server.stop()).clean;
    }
    expect(clean).toBe(true);
    expect(server.sink("dlq").values()).toEqual([expect.objectContaining({ reason: "handler-error", handler: "flaky", sequenceNumber: 1, attempts: 3, event: 1 })]);
    expect(successes(server)).toEqual([2]);
  });

  it("ordered: once the held events reach the bound, the feed's ring is no longer consumed (backpressure), and nothing is lost", async () => {
    const server = await boot(config({ attempts: 1000, backoffMs: 5, maxBackoffMs: 20 }, { failUntilReleased: [0] }), {
      logLevel: "silent",
      ringCapacity: 1024,
      offerTimeoutMs: 300,
    });
    let accepted = 0;
    try {
      let failure: unknown;
      try {
        for (let i = 0; i < 20_000; i++) {
          server.offer("in", i);
          accepted++;
        }
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(BackpressureTimeoutError);
      // HOLD_LIMIT (1024) held, plus what the ring and one poll batch took.
      expect(accepted).toBeGreaterThanOrEqual(1024);
      expect(accepted).toBeLessThan(20_000);
      server.offer("gate", "open");
      await server.sink<Call>("log").waitUntil((log) => log.filter((c) => c.handler === "flaky" && c.ok).length >= accepted, 30_000, "every accepted event handled");
    } finally {
      await server.stop();
    }
    expect(successes(server)).toEqual(Array.from({ length: accepted }, (_, i) => i));
  });
});
