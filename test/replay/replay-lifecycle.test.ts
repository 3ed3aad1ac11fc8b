import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { MongooseServer } from "../../src/mod.ts";
import { eventually, FIXTURES, tempDir } from "../helpers.ts";
import { type ProbeLine, readLines, replayCli, replayProbeYaml } from "./recorded-run.ts";

const EVENTS = 10;
let temp: ReturnType<typeof tempDir>;

/** Runs the YAML in this process until `done(lines)` holds for out.jsonl, with `during` run meanwhile. */
async function liveRun(done: (lines: ProbeLine[]) => boolean, during: (server: MongooseServer) => Promise<void> = async () => {}): Promise<void> {
  const server = await MongooseServer.bootYamlFile(temp.path("app.yaml"), { logLevel: "error" });
  try {
    await during(server);
    await eventually(() => done(readLines(temp.path("out.jsonl"))), "the live output", 60_000);
  } finally {
    await server.stop();
  }
}

const settled = (runs: number) => (lines: ProbeLine[]) => {
  const events = lines.filter((line) => line.event !== undefined);
  return events.length === runs * EVENTS && lines.filter((line) => line.after !== undefined).length === events.filter((line) => line.r! < 0.5).length &&
    lines.filter((line) => line.tick === EVENTS).length === runs;
};

beforeAll(async () => {
  temp = tempDir("mongoose-replay-lifecycle-");
  writeFileSync(temp.path("in.jsonl"), Array.from({ length: EVENTS }, (_, i) => JSON.stringify({ id: i + 1 })).join("\n") + "\n");
  writeFileSync(temp.path("app.yaml"), replayProbeYaml({ probe: "processor" }));
  // Run 1, with a live config update once its events are in; run 2 appends to the same journal folder.
  await liveRun((lines) => lines.some((line) => line.config !== undefined) && settled(1)(lines), async (server) => {
    await eventually(() => settled(1)(readLines(temp.path("out.jsonl"))), "the first run's events", 60_000);
    expect(await server.updateConfig("probe", { mark: 1 })).toMatchObject({ ok: true });
  });
  await liveRun(settled(2));
}, { timeout: 180_000 });
afterAll(() => temp.cleanup());

describe("mongoose replay across runs", () => {
  it("replays a live config update and a second run (a second start record: a fresh instance with its own seed)", async () => {
    const { code, stdout, stderr } = await replayCli([temp.path("app.yaml"), "--journal", temp.path("journal"), "--sink", `out=file:${temp.path("replayed.jsonl")}`]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toMatch(/probe: \d+ records \(20 events, \d+ timers fired, 1 config updates, 2 starts\)/);
    const strip = (line: ProbeLine) => ({ ...line, nanos: undefined, ms: undefined });
    const live = readLines(temp.path("out.jsonl"));
    expect(readLines(temp.path("replayed.jsonl")).map(strip)).toEqual(live.map(strip));
    expect(live.filter((line) => line.final !== undefined)).toHaveLength(2);
    expect(live.find((line) => line.config !== undefined)!.config).toEqual({ everyMs: 20, afterMs: 5, mark: 1 });
  }, 60_000);

  it("says so when the handler's code no longer matches its journal: its throws and timers it never created are counted, and the replay goes on", async () => {
    // The same journal, replayed into a handler that throws on every event and sets no timers.
    writeFileSync(temp.path("changed.yaml"), replayProbeYaml({ probe: "processor" }).replace(`${FIXTURES}replay-probe.ts`, `${FIXTURES}replay-changed.ts`));
    const { code, stdout, stderr } = await replayCli([temp.path("changed.yaml"), "--journal", temp.path("journal"), "--sink", `out=file:${temp.path("changed.jsonl")}`]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/probe: \d+ records \(20 events, 0 timers fired, 1 config updates, 2 starts, 20 errors, \d+ timer mismatches\)/);
    expect(stderr).toContain("onEvent threw while replaying");
    expect(stderr).toContain("never created by the replayed handler: it does not behave as when recorded");
  }, 60_000);
});
