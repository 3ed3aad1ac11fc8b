import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { type DeadLetter, MongooseServer } from "../../src/mod.ts";
import { boot, configProblems, FIXTURES, tempDir } from "../helpers.ts";
import { validateConfig } from "../../src/config/plan.ts";
import { readLines, replayCli } from "./recorded-run.ts";

/** 2020-01-01T00:00:00Z: far from the live clock, so a reading from it is unmistakable. */
const T = Date.UTC(2020, 0, 1);

interface Written {
  event?: unknown;
  timer?: string;
  at: number;
  nanosAgree?: boolean;
}

const config = (configMap: Record<string, unknown>) => ({
  eventFeeds: [
    { name: "records", type: "memory" as const, clock: "replayRecords" as const },
    { name: "live", type: "memory" as const },
  ],
  eventSinks: [{ name: "out", type: "memory" as const }, { name: "dlq", type: "memory" as const }],
  deadLetter: "dlq",
  eventHandlers: [{
    agentName: "processor",
    eventHandlers: {
      replayed: { handler: "./record-clock.ts", configMap: { feed: "records", ...configMap } },
      "live-clock": { handler: "./record-clock.ts", configMap: { feed: "live" } },
    },
  }],
});

describe("feeds with clock: replayRecords", () => {
  it("deliver each record's event with ctx.clock at its wallClockTime, and fire timers by record time before the first later record", async () => {
    const server = await boot(config({ afterMs: 1_000, everyMs: 400 }));
    try {
      server.offer("records", { event: "a", wallClockTime: T });
      server.offer("records", { event: { n: 2 }, wallClockTime: T + 500 });
      server.offer("records", { event: "c", wallClockTime: T + 1_500 });
      server.offer("live", "now");
      const out = server.sink<Written>("out");
      await out.waitUntil((values) => values.some((v) => v.event === "c") && values.some((v) => v.event === "now"), 20_000, "both feeds delivered");
      const replayed = out.values().filter((v) => v.event !== "now");
      // The after(1000) timer set at T is due at T+1000; the every(400) at T+400, T+800, T+1200: all before "c".
      expect(replayed).toEqual([
        { event: "a", at: T, nanosAgree: true },
        { timer: "every", at: T + 400 },
        { event: { n: 2 }, at: T + 500, nanosAgree: true },
        { timer: "every", at: T + 800 },
        { timer: "after", at: T + 1_000 },
        { timer: "every", at: T + 1_200 },
        { event: "c", at: T + 1_500, nanosAgree: true },
      ]);
      // A handler on the same agent that does not subscribe to the records keeps the live clock.
      const live = out.values().find((v) => v.event === "now")!;
      expect(live.at).toBeGreaterThan(T + 365 * 24 * 3600 * 1000);
      expect(server.errors()).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it("send a value that is not {event, wallClockTime} to the dead letters, delivered to nobody, and go on", async () => {
    const server = await boot(config({}));
    try {
      server.offer("records", { event: "first", wallClockTime: T });
      server.offer("records", { wallClockTime: T + 1 });
      server.offer("records", { event: "no time" });
      server.offer("records", "plain");
      server.offer("records", { event: "last", wallClockTime: T + 2 });
      const out = server.sink<Written>("out");
      const dlq = server.sink<DeadLetter>("dlq");
      await out.waitUntil((values) => values.some((v) => v.event === "last"), 20_000, "the last record");
      await dlq.waitFor(3, 20_000);
      expect(out.values().map((v) => [v.event, v.at])).toEqual([["first", T], ["last", T + 2]]);
      expect(dlq.values().map((d) => [d.reason, d.feed, d.sequenceNumber, d.event])).toEqual([
        ["bad-replay-record", "records", 2, { wallClockTime: T + 1 }],
        ["bad-replay-record", "records", 3, { event: "no time" }],
        ["bad-replay-record", "records", 4, "plain"],
      ]);
      expect(dlq.values()[0].error).toContain("must be {event, wallClockTime}");
    } finally {
      await server.stop();
    }
  });

  it("is checked by the schema: clock is live or replayRecords", () => {
    expect(configProblems(() => validateConfig({ eventFeeds: [{ name: "f", type: "memory", clock: "wall" }] }))).toEqual([
      'eventFeeds[0].clock: expected one of live, replayRecords, got "wall"',
    ]);
  });

  it("journal the record times a handler read, so its replay reads them too", async () => {
    const temp = tempDir("mongoose-replay-records-");
    try {
      writeFileSync(temp.path("app.yaml"), [
        "admin: false",
        "journal: {dir: journal}",
        "eventFeeds: [{name: records, type: memory, clock: replayRecords}]",
        "eventSinks: [{name: out, type: file, filename: out.jsonl, valueMapper: json}]",
        `eventHandlers: [{agentName: processor, eventHandlers: {replayed: {handler: ${FIXTURES}record-clock.ts, configMap: {feed: records, afterMs: 1000}}}}]`,
        "",
      ].join("\n"));
      const server = await MongooseServer.bootYamlFile(temp.path("app.yaml"), { logLevel: "error" });
      try {
        for (const [event, at] of [["a", T], ["b", T + 500], ["c", T + 1_500]] as const) server.offer("records", { event, wallClockTime: at });
      } finally {
        await server.stop();
      }
      const live = readLines(temp.path("out.jsonl"));
      expect(live.map((line) => (line as { at?: number }).at)).toEqual([T, T + 500, T + 1_000, T + 1_500]);
      const { code } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", `out=file:${temp.path("replayed.jsonl")}`]);
      expect(code).toBe(0);
      expect(readLines(temp.path("replayed.jsonl"))).toEqual(live);
    } finally {
      temp.cleanup();
    }
  }, 60_000);
});
