import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJournal } from "../../src/core/journal/journal-reader.ts";
import { eventually, tempDir } from "../helpers.ts";
import { runServer } from "../process.ts";
import { MAIN, readLines, recordRun, replayCli, replayProbeYaml } from "./recorded-run.ts";

let temp: ReturnType<typeof tempDir>;

beforeAll(async () => {
  temp = tempDir("mongoose-replay-errors-");
  await recordRun(temp.dir, { probe: "processor" }, 5);
  mkdirSync(temp.path("empty"));
}, { timeout: 120_000 });
afterAll(() => temp.cleanup());

describe("mongoose replay with bad arguments", () => {
  const cases: [string, () => string[], () => string][] = [
    ["no --journal", () => [temp.path("app.yaml")], () => "replay needs --journal DIR"],
    ["a journal folder that does not exist", () => [temp.path("app.yaml"), "--journal", temp.path("nowhere")], () => `--journal ${temp.path("nowhere")}: no such folder`],
    ["an empty journal folder", () => [temp.path("app.yaml"), "--journal", temp.path("empty")], () => `--journal ${temp.path("empty")}: no handler journals in it`],
    ["an unknown handler", () => [temp.path("app.yaml"), "--journal", temp.path("journal"), "--handler", "nope"], () => `--handler nope: no journal for it in ${temp.path("journal")} (journaled: probe)`],
    ["a bad --speed", () => [temp.path("app.yaml"), "--journal", temp.path("journal"), "--speed", "fast"], () => '--speed must be max, realtime or a number > 0 (times realtime), got "fast"'],
    ["a zero --speed", () => [temp.path("app.yaml"), "--journal", temp.path("journal"), "--speed", "0"], () => '--speed must be max, realtime or a number > 0 (times realtime), got "0"'],
    ["a bad --until", () => [temp.path("app.yaml"), "--journal", temp.path("journal"), "--until", "yesterday"], () => '--until must be epoch milliseconds or an ISO date-time such as 2026-12-02T17:30:00Z, got "yesterday"'],
    ["a --sink that is not name=file:PATH", () => [temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", "out=nats:x"], () => '--sink must be name=file:PATH (e.g. --sink out=file:replayed.jsonl), got "out=nats:x"'],
    ["a --sink naming no sink", () => [temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", "nope=file:x.jsonl"], () => '--sink nope=…: the configuration has no sink "nope" (sinks: out)'],
    ["a configuration that is not valid", () => [temp.path("bad.yaml"), "--journal", temp.path("journal")], () => "bad.yaml:1:1 eventFeedz: unknown key"],
  ];
  for (const [what, args, message] of cases) {
    it(`exits 2 on ${what}, saying so, before replaying anything`, async () => {
      writeFileSync(temp.path("bad.yaml"), "eventFeedz: []\n");
      const { code, stdout, stderr } = await replayCli(args());
      expect(stderr).toContain(message());
      expect(code).toBe(2);
      expect(stdout).toBe("");
    }, 60_000);
  }
});

describe("mongoose replay of a journal from a killed run", () => {
  it("replays up to the last whole record and reports the torn tail", async () => {
    const dir = temp.path("killed");
    mkdirSync(dir);
    const events = 200_000;
    writeFileSync(join(dir, "in.jsonl"), Array.from({ length: events }, (_, i) => JSON.stringify({ id: i + 1 })).join("\n") + "\n");
    writeFileSync(join(dir, "app.yaml"), replayProbeYaml({ probe: "processor" }));
    const folder = join(dir, "journal", "probe");
    const bytes = () => existsSync(folder) ? readdirSync(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0) : 0;
    const live = runServer(MAIN, join(dir, "app.yaml"));
    await eventually(() => bytes() > 256 * 1024, `a journal of 256 KiB; log:\n${live.log()}`, 60_000);
    live.child.kill();
    await live.child.exitCode;
    // Whatever the kill cut, the file now ends inside a record: a length that promises more than follows.
    const last = join(folder, readdirSync(folder).sort().at(-1)!);
    appendFileSync(last, new Uint8Array([0xff, 0x00, 0x00, 0x00, 1, 2, 3]));
    const whole = [...readJournal(join(dir, "journal"), "probe", { onTornTail: () => {} })];
    const recordedEvents = whole.filter((entry) => entry.kind === "event").length;
    expect(recordedEvents).toBeGreaterThan(0);
    expect(recordedEvents).toBeLessThan(events);

    const { code, stdout } = await replayCli([join(dir, "app.yaml"), "--journal", join(dir, "journal"), "--sink", `out=file:${join(dir, "replayed.jsonl")}`]);
    expect(code).toBe(0);
    expect(stdout).toContain(`replayed ${whole.length} records`);
    expect(stdout).toMatch(new RegExp(`torn tails: ${last.replaceAll(".", "\\.")} at byte \\d+\\.`));
    const got = readLines(join(dir, "replayed.jsonl")).filter((line) => line.event !== undefined).map((line) => (line.event as { id: number }).id);
    expect(got).toEqual(Array.from({ length: recordedEvents }, (_, i) => i + 1));
  }, 180_000);
});
