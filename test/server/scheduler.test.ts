import { describe, expect, it } from "bun:test";
import type { IdleStrategySpec } from "../../src/agent/idle-strategy.ts";
import type { MongooseServer } from "../../src/mod.ts";
import { boot, eventually } from "../helpers.ts";

interface Fired {
  label: string;
  n?: number;
  thread: string;
}

const config = (idleStrategy: IdleStrategySpec | "blocking" | "sleeping" | "busySpin" | "backoff", configMap: Record<string, unknown> = {}) => ({
  eventFeeds: [{ name: "in", type: "memory" as const, broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [{ agentName: "timers", idleStrategy, eventHandlers: { probe: { handler: "./timer-probe.ts", configMap } } }],
});

const has = (label: string) => (values: readonly Fired[]) => values.some((v) => v.label === label);
const fired = (server: MongooseServer, label: string) => server.sink<Fired>("out").values().filter((v) => v.label === label);

describe("ctx.scheduler", () => {
  for (const idle of ["blocking", "sleeping", "backoff", "busySpin"] as const) {
    it(`fires once, periodically and not at all once cancelled (also from inside its callback), on the handler's thread (${idle})`, async () => {
      const server = await boot(config(idle));
      try {
        const out = server.sink<Fired>("out");
        server.offer("in", { op: "after", label: "once", ms: 30 });
        server.offer("in", { op: "at", label: "at", inMs: 40 });
        server.offer("in", { op: "every", label: "tick", ms: 20, times: 5 });
        server.offer("in", { op: "cancelled", label: "never", ms: 10, marker: 200 });
        // Each marker is set after the timer it watches would have fired again (or at all): ordering, not timing.
        await out.waitUntil((values) => has("tick-marker")(values) && has("never-marker")(values) && has("once")(values) && has("at")(values), 20_000, "every marker");
        expect(fired(server, "once").length).toBe(1);
        expect(fired(server, "at").length).toBe(1);
        expect(fired(server, "tick").map((v) => v.n)).toEqual([1, 2, 3, 4, 5]);
        expect(fired(server, "tick-cancelled").map((v) => v.n)).toEqual([1]);
        expect(fired(server, "never")).toEqual([]);
        expect(fired(server, "never-cancel").map((v) => v.n)).toEqual([1]);
        const eventThread = fired(server, "event")[0].thread;
        expect(new Set(out.values().map((v) => v.thread))).toEqual(new Set([eventThread]));
        expect(server.errors()).toEqual([]);
      } finally {
        await server.stop();
      }
    });
  }

  it("wakes a blocking agent for its deadline even when parks may last a minute", async () => {
    // Without the deadline bounding its park, the agent would sleep until a producer signals: never here.
    // The liveness probe (which wakes a parked agent) is pushed out of the way too.
    const server = await boot(config("blocking", { startTimer: 200 }), { maxParkMs: 60_000, unresponsiveAfterMs: 600_000 });
    try {
      expect((await server.sink<Fired>("out").waitFor(1, 15_000))[0].label).toBe("start-timer");
    } finally {
      await server.stop();
    }
  });

  it("wakes an agent in a long idle park for a timer set outside the duty cycle", async () => {
    // The timer is set from a setTimeout callback after the agent went idle (an async park with no end).
    const server = await boot(config("blocking", { laterTimerFromPromise: 50 }), { unresponsiveAfterMs: 600_000 });
    try {
      expect((await server.sink<Fired>("out").waitFor(1, 15_000))[0].label).toBe("later-timer");
    } finally {
      await server.stop();
    }
  });

  it("keeps a blocking agent idle between deadlines: a few duty cycles per deadline, not thousands", async () => {
    const server = await boot(config("blocking"));
    try {
      const out = server.sink<Fired>("out");
      server.offer("in", { op: "every", label: "slow", ms: 250, times: 6 });
      await out.waitUntil(has("slow"), 20_000, "the first tick");
      const cyclesAtFirst = server.counter("agent_duty_cycles_total", { agent: "timers" });
      await out.waitUntil((values) => values.filter((v) => v.label === "slow").length === 6, 20_000, "six ticks");
      const cycles = server.counter("agent_duty_cycles_total", { agent: "timers" }) - cyclesAtFirst;
      // 1.25 s between the first and sixth tick: parks end at the next deadline or after maxParkMs (100 ms), a
      // few cycles each. An agent polling for its deadline would run hundreds of thousands.
      expect(cycles).toBeGreaterThan(0);
      expect(cycles).toBeLessThan(300);
    } finally {
      await server.stop();
    }
  });

  it("rejects bad arguments with a message naming the handler, and keeps running", async () => {
    const server = await boot(config("backoff"));
    try {
      server.offer("in", { op: "after", label: "bad", ms: -1 });
      server.offer("in", { op: "every", label: "bad", ms: 0, times: 1 });
      server.offer("in", { op: "after", label: "good", ms: 1 });
      await server.sink<Fired>("out").waitUntil(has("good"), 20_000, "the good timer");
      // Error reports come by message, not through the sink's ring: they may arrive after the timer's value.
      await eventually(() => server.errors().length >= 2, "both error reports", 20_000);
      const messages = server.errors().map((e) => e.message);
      expect(messages).toEqual([
        'TypeError: handler "probe": ctx.scheduler.after(ms, fn) needs a finite number ≥ 0 for ms, got -1',
        'TypeError: handler "probe": ctx.scheduler.every(ms, fn) needs a finite number > 0 for ms, got 0',
      ]);
    } finally {
      await server.stop();
    }
  });
});
