import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import type { JournalEntry } from "../../src/core/journal/journal-entry.ts";
import { readJournal } from "../../src/core/journal/journal-reader.ts";
import { tempDir } from "../helpers.ts";
import { type ProbeLine, readLines, recordRun, replayCli } from "./recorded-run.ts";

const EVENTS = 60;
let temp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  temp = tempDir("mongoose-replay-");
  await recordRun(temp.dir, { "probe-a": "agent-a", "probe-b": "agent-b" }, EVENTS);
}, { timeout: 120_000 });
afterAll(() => temp.cleanup());

const own = (lines: ProbeLine[], handler: string) => lines.filter((line) => line.handler === handler);
const journal = (handler: string): JournalEntry[] => [...readJournal(temp.path("journal"), handler)];

describe("mongoose replay", () => {
  it("re-drives every journaled handler: its ctx.clock reads each record's recorded time, its timers fire where the journal has them, ctx.random() repeats", async () => {
    const { code, stdout, stderr } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", `out=file:${temp.path("all-1.jsonl")}`]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const replayed = readLines(temp.path("all-1.jsonl"));
    const live = readLines(temp.path("out.jsonl"));
    for (const handler of ["probe-a", "probe-b"]) {
      const lines = own(replayed, handler);
      const records = journal(handler);
      // Each onEvent and timer callback reads the time its record holds, to the nanosecond.
      const delivered = records.filter((r) => r.kind === "event" || r.kind === "timer");
      const timed = lines.filter((line) => line.nanos !== undefined);
      expect(timed.length).toBeGreaterThan(EVENTS);
      const times = (entries: { nanos?: number; ms?: number; clockNanos?: number; epochMillis?: number }[]) => entries.map((e) => [e.nanos ?? e.clockNanos, e.ms ?? e.epochMillis]);
      // Lines come from deliveries (the every-timer writes only when the count changed): each line's time is one record's.
      const recorded = new Set(times(delivered).map((t) => t.join("/")));
      expect(times(timed).filter((t) => !recorded.has(t.join("/")))).toEqual([]);
      // What does not depend on reading the clock live is exactly the live output: events, draws, which timers fired.
      const strip = (line: ProbeLine) => ({ ...line, nanos: undefined, ms: undefined });
      expect(lines.map(strip)).toEqual(own(live, handler).map(strip));
      expect(lines.at(-1)).toEqual({ handler, final: EVENTS });
    }
    expect(stdout).toContain(`probe-a: ${journal("probe-a").length} records (${EVENTS} events`);
    expect(stdout).toMatch(/outputs: out \d+; torn tails: none\.\n$/);
  }, 120_000);

  it("writes, for a handler that depends only on its inputs, ctx.clock and ctx.random(), exactly what it wrote live (timer-driven lines included)", async () => {
    const { code } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--handler", "probe-a", "--sink", `out=file:${temp.path("a.jsonl")}`]);
    expect(code).toBe(0);
    // Live, ctx.clock must read during a delivery the time its journal record holds, or no replay can repeat what the handler read.
    expect(readLines(temp.path("a.jsonl"))).toEqual(own(readLines(temp.path("out.jsonl")), "probe-a"));
  }, 60_000);

  it("writes byte-identical output when the same journal is replayed twice, several handlers merged by recorded time, ties by handler name", async () => {
    const second = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", `out=file:${temp.path("all-2.jsonl")}`]);
    expect(second.code).toBe(0);
    const first = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", `out=file:${temp.path("all-3.jsonl")}`]);
    expect(first.code).toBe(0);
    const bytes = readFileSync(temp.path("all-2.jsonl"), "utf8");
    expect(bytes.length).toBeGreaterThan(0);
    expect(readFileSync(temp.path("all-3.jsonl"), "utf8")).toBe(bytes);
    // Merged by recorded time: lines that carry one never go back in time; at equal times probe-a comes first.
    const timed = readLines(temp.path("all-2.jsonl")).filter((line) => line.ms !== undefined);
    const outOfOrder = timed.filter((line, i) => {
      const before = timed[i - 1];
      if (i === 0 || line.ms! > before.ms!) return false;
      return line.ms! < before.ms! || (line.handler !== before.handler && before.handler !== "probe-a");
    });
    expect(outOfOrder).toEqual([]);
    expect(new Set(timed.map((line) => line.handler))).toEqual(new Set(["probe-a", "probe-b"]));
  }, 120_000);

  it("replays only the handlers named with --handler", async () => {
    const { code, stdout } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--handler", "probe-b", "--sink", `out=file:${temp.path("b.jsonl")}`]);
    expect(code).toBe(0);
    const lines = readLines(temp.path("b.jsonl"));
    expect(new Set(lines.map((line) => line.handler))).toEqual(new Set(["probe-b"]));
    expect(lines.filter((line) => line.event !== undefined)).toHaveLength(EVENTS);
    expect(stdout).toContain("handlers: probe-b:");
    expect(stdout).not.toContain("probe-a");
  }, 60_000);

  it("stops before the first record later than --until", async () => {
    const records = journal("probe-a");
    const events = records.filter((r) => r.kind === "event");
    const cut = events[EVENTS / 2 - 1].epochMillis;
    const { code, stdout } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--handler", "probe-a", "--until", String(cut), "--sink", `out=file:${temp.path("until.jsonl")}`]);
    expect(code).toBe(0);
    const expected = records.filter((r) => r.epochMillis <= cut).length;
    expect(stdout).toContain(`replayed ${expected} records`);
    expect(stdout).toContain("(stopped by --until)");
    const got = readLines(temp.path("until.jsonl")).filter((line) => line.event !== undefined);
    expect(got.length).toBe(events.filter((r) => r.epochMillis <= cut).length);
    expect(got.length).toBeLessThan(EVENTS);
  }, 60_000);

  it("with --speed realtime takes at least the recorded span; --speed 4 at least a quarter of it", async () => {
    const records = journal("probe-a");
    const span = records.at(-1)!.epochMillis - records[0].epochMillis;
    expect(span).toBeGreaterThan(0);
    for (const [speed, share] of [["realtime", 1], ["4", 0.25]] as const) {
      const began = performance.now();
      const { code, stdout } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--handler", "probe-a", "--speed", speed, "--sink", `out=file:${temp.path(`speed-${speed}.jsonl`)}`]);
      const took = performance.now() - began;
      expect(code).toBe(0);
      // A lower bound (pacing waits for recorded time), not a measure of speed: the duration the command reports, and its whole run.
      const reported = Number(/ in ([\d.]+) s/.exec(stdout)![1]) * 1000;
      expect(reported).toBeGreaterThanOrEqual(span * share - 1);
      expect(took).toBeGreaterThanOrEqual(span * share - 1);
    }
    // Pacing changes when records are fed, not what they produce.
    expect(readFileSync(temp.path("speed-4.jsonl"), "utf8")).toBe(readFileSync(temp.path("speed-realtime.jsonl"), "utf8"));
  }, 120_000);
});
