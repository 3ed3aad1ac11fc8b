import { describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "../../src/core/seeded-random.ts";
import type { JournalEntry } from "../../src/core/journal/journal-entry.ts";
import { journaledHandlers, readJournal } from "../../src/core/journal/journal-reader.ts";
import { defineEvent } from "../../src/transport/fixed-layout.ts";
import type { MongooseConfig } from "../../src/mod.ts";
import { boot, eventually, tempDir } from "../helpers.ts";

const QUOTE = defineEvent("Quote", { px: "f64", qty: "i64", sym: "ascii(8)" });
const EVENTS = 60;
const TIMER_NAMES = ["", "every", "after"];

/** What the probe wrote to "out" for each journal entry (start: its three draws from the journaled seed). */
function asProbeOutput(entry: JournalEntry, counts: Map<number, number>): unknown {
  switch (entry.kind) {
    case "start": {
      const random = seededRandom(entry.seed);
      return { draws: [random(), random(), random()] };
    }
    case "event":
      return { got: entry.value, feed: entry.feed, seq: entry.sequence };
    case "timer": {
      const n = (counts.get(entry.ordinal) ?? 0) + 1;
      counts.set(entry.ordinal, n);
      return { timer: TIMER_NAMES[entry.ordinal], n };
    }
    case "config":
      return { config: entry.config };
  }
}

const config = (dir: string): MongooseConfig => ({
  eventTypes: [QUOTE],
  eventFeeds: [
    { name: "in", type: "memory", broadcast: true },
    { name: "quotes", type: "memory", broadcast: true, eventType: "Quote" },
  ],
  eventSinks: [{ name: "out", type: "memory" }, { name: "other-out", type: "memory" }],
  eventHandlers: [
    { agentName: "processor", eventHandlers: { probe: { handler: "./journal-probe.ts", configMap: { everyMs: 15, times: 4, afterMs: 25, currency: "USD" } } } },
    { agentName: "elsewhere", eventHandlers: { other: { handler: "./forwarder.ts", configMap: { sink: "other-out" } } } },
  ],
  journal: { dir, handlers: ["probe"] },
});

describe("journal recording on a live server", () => {
  for (const inline of [false, true]) {
    it(`records exactly what the handler got, in order, with feed, sequence and clock, its timer firings by ordinal and a config update (${inline ? "inline" : "worker"} agent)`, async () => {
      const tmp = tempDir();
      const from = Date.now() - 1;
      const server = await boot(config(tmp.dir), { inline, logLevel: "error" });
      let to: number;
      try {
        const out = server.sink<Record<string, unknown>>("out");
        for (let n = 1; n <= EVENTS; n++) {
          server.offer("in", n % 3 === 0 ? { n, text: `event ${n}`, big: BigInt(n) ** 20n } : n % 3 === 1 ? `line ${n}` : [n, null, -0]);
          if (n % 10 === 0) server.offer("quotes", { px: n + 0.5, qty: BigInt(n), sym: `S${n}` });
        }
        await out.waitUntil((values) => values.filter((v) => "got" in v).length === EVENTS + EVENTS / 10, 20_000, "every event handled");
        await out.waitUntil((values) => values.filter((v) => "timer" in v).length === 5, 20_000, "four every firings and one after firing");
        expect((await server.updateConfig("probe", { currency: "EUR", limit: 5 })).ok).toBe(true);
        await out.waitUntil((values) => values.some((v) => "config" in v), 20_000, "the config change");
        server.offer("in", "after the update");
        await out.waitUntil((values) => values.some((v) => v.got === "after the update"), 20_000, "the last event");
      } finally {
        await server.stop();
        to = Date.now() + 1;
      }
      try {
        expect(server.errors()).toEqual([]);
        expect(journaledHandlers(tmp.dir)).toEqual(["probe"]);
        expect(existsSync(join(tmp.dir, "other"))).toBe(false);
        const torn: unknown[] = [];
        const entries = [...readJournal(tmp.dir, "probe", { onTornTail: (file, offset) => torn.push({ file, offset }) })];
        expect(torn).toEqual([]);
        expect(entries[0]).toMatchObject({ kind: "start", config: { everyMs: 15, times: 4, afterMs: 25, currency: "USD" } });
        expect(entries.filter((e) => e.kind === "start").length).toBe(1);
        const counts = new Map<number, number>();
        expect(entries.map((entry) => asProbeOutput(entry, counts))).toEqual(server.sink("out").values());
        const config = entries.find((e) => e.kind === "config");
        expect(config).toMatchObject({ config: { everyMs: 15, times: 4, afterMs: 25, currency: "EUR", limit: 5 } });
        const sequences = (feed: string) => entries.flatMap((e) => e.kind === "event" && e.feed === feed ? [e.sequence] : []);
        expect(sequences("in")).toEqual([...Array(EVENTS + 1).keys()].map((i) => i + 1));
        expect(sequences("quotes")).toEqual([1, 2, 3, 4, 5, 6]);
        let lastNanos = -Infinity;
        for (const entry of entries) {
          expect(entry.clockNanos).toBeGreaterThanOrEqual(lastNanos);
          lastNanos = entry.clockNanos;
          expect(entry.epochMillis).toBeGreaterThanOrEqual(from);
          expect(entry.epochMillis).toBeLessThanOrEqual(to);
          if (entry.kind === "event") {
            expect(entry.publishedEpochMillis).toBeGreaterThanOrEqual(from);
            expect(entry.publishedEpochMillis).toBeLessThanOrEqual(entry.epochMillis + 1);
          }
        }
      } finally {
        tmp.cleanup();
      }
    });
  }

  it("records a retried event once, and the retry's timer takes no ordinal", async () => {
    const tmp = tempDir();
    try {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{
          agentName: "processor",
          eventHandlers: { probe: { handler: "./journal-probe.ts", configMap: { everyMs: 15, times: 2, afterMs: 60 }, retry: { attempts: 3, backoffMs: 20 } } },
        }],
        journal: { dir: tmp.dir },
      }, { logLevel: "silent" });
      const out = server.sink<Record<string, unknown>>("out");
      try {
        server.offer("in", { n: 1, failOnce: true });
        server.offer("in", { n: 2 });
        await out.waitUntil((values) => values.filter((v) => "got" in v).length === 2 && values.filter((v) => "timer" in v).length === 3, 20_000, "both events handled and three firings");
      } finally {
        await server.stop();
      }
      expect(server.counter("handler_retries_total", { handler: "probe" })).toBe(1);
      const entries = [...readJournal(tmp.dir, "probe")];
      expect(entries.flatMap((e) => e.kind === "event" ? [e.value] : [])).toEqual([{ n: 1, failOnce: true }, { n: 2 }]);
      expect(entries.flatMap((e) => e.kind === "timer" ? [e.ordinal] : []).sort()).toEqual([1, 1, 2]);
      // The held and retried events reach the sink after timers that fired meanwhile: compare as sets.
      const counts = new Map<number, number>();
      const sorted = (values: unknown[]) => values.map((value) => JSON.stringify(value)).sort();
      expect(sorted(entries.map((entry) => asProbeOutput(entry, counts)))).toEqual(sorted(out.values()));
    } finally {
      tmp.cleanup();
    }
  });

  it("journals a handler registered at runtime with handlers: all, from its start to its removal", async () => {
    const tmp = tempDir();
    try {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }, { name: "late-out", type: "memory" }],
        eventHandlers: [{ agentName: "proc", eventHandlers: { probe: { handler: "./journal-probe.ts", configMap: { times: 1 } } } }],
        journal: { dir: tmp.dir },
      });
      const late = server.sink<Record<string, unknown>>("late-out");
      try {
        server.offer("in", "before");
        await server.sink<Record<string, unknown>>("out").waitUntil((values) => values.some((v) => v.got === "before"), 20_000, "the first event");
        await server.addHandler({ agentName: "late-agent", name: "late", handler: "./journal-probe.ts", configMap: { sink: "late-out", times: 2, afterMs: 10 } });
        for (let n = 1; n <= 20; n++) server.offer("in", { n });
        await late.waitUntil((values) => values.filter((v) => "got" in v).length === 20 && values.filter((v) => "timer" in v).length === 3, 20_000, "the late handler's events and timers");
        await server.removeHandler("late-agent/late");
        expect(journaledHandlers(tmp.dir)).toEqual(["late", "probe"]);
        const torn: unknown[] = [];
        const entries = [...readJournal(tmp.dir, "late", { onTornTail: (file, offset) => torn.push({ file, offset }) })];
        expect(torn).toEqual([]);
        expect(entries[0]).toMatchObject({ kind: "start", config: { sink: "late-out", times: 2, afterMs: 10 } });
        const counts = new Map<number, number>();
        expect(entries.map((entry) => asProbeOutput(entry, counts))).toEqual(late.values());
      } finally {
        await server.stop();
      }
    } finally {
      tmp.cleanup();
    }
  });

  for (const idle of ["blocking", "busySpin"] as const) {
    it(`writes records out while the server runs, once the agent is idle (${idle})`, async () => {
      const tmp = tempDir();
      try {
        const server = await boot({
          eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
          eventSinks: [{ name: "out", type: "memory" }],
          eventHandlers: [{ agentName: "proc", idleStrategy: idle, eventHandlers: { probe: { handler: "./journal-probe.ts", configMap: { everyMs: 60_000 } } } }],
          journal: { dir: tmp.dir },
        });
        try {
          const events = () => [...readJournal(tmp.dir, "probe")].filter((entry) => entry.kind === "event").length;
          for (let n = 1; n <= 5; n++) server.offer("in", { n });
          await eventually(() => events() === 5, "five events on disk", 20_000);
          server.offer("in", { n: 6 });
          await eventually(() => events() === 6, "the sixth event on disk", 20_000);
        } finally {
          await server.stop();
        }
      } finally {
        tmp.cleanup();
      }
    });
  }

  it("gives ctx.random() a seed per handler also when nothing is journaled", async () => {
    const server = await boot({
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "processor", eventHandlers: { a: { handler: "./journal-probe.ts", configMap: { times: 1 } }, b: { handler: "./journal-probe.ts", configMap: { times: 1 } } } }],
    });
    try {
      await eventually(() => server.sink<{ draws?: number[] }>("out").values().filter((v) => v.draws).length === 2, "both handlers' draws");
      const [a, b] = server.sink<{ draws?: number[] }>("out").values().flatMap((v) => v.draws ? [v.draws] : []);
      for (const draw of [...a, ...b]) {
        expect(draw).toBeGreaterThanOrEqual(0);
        expect(draw).toBeLessThan(1);
      }
      expect(a).not.toEqual(b);
    } finally {
      await server.stop();
    }
  });
});
