import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import process from "node:process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runtimeCommand, start } from "../../process.ts";
import { eventually, tempDir } from "../../helpers.ts";

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-crash-")));
afterEach(() => temp.cleanup());

const RUN = fileURLToPath(new URL("../../fixtures/committed-run.ts", import.meta.url));
const recorded = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(0, -1) : []);

function launch(input: string, record: string) {
  const child = start(runtimeCommand(RUN, [input, record]));
  child.onStdout(() => {});
  child.onStderr((text) => void process.stderr.write(text));
  return child;
}

describe("COMMITTED file feed across a crash", () => {
  it("after kill -9 and a restart, every line is delivered at least once, and only a few twice", async () => {
    const input = temp.path("in.txt");
    const record = temp.path("record.txt");
    const total = 50_000;
    writeFileSync(input, Array.from({ length: total }, (_, i) => `line-${i}`).join("\n") + "\n");

    const first = launch(input, record);
    await eventually(() => recorded(record).length >= 5_000, "the first run to get going", 30_000);
    first.kill();
    await first.exitCode;
    const beforeCrash = recorded(record).length;
    expect(beforeCrash).toBeLessThan(total); // it really was interrupted

    const second = launch(input, record);
    await eventually(() => new Set(recorded(record)).size === total, "every line to be recorded after the restart", 60_000);
    second.interrupt("SIGTERM");
    expect(await second.exitCode).toBe(0);

    const lines = recorded(record);
    const counts = new Map<string, number>();
    for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
    expect(counts.size).toBe(total); // nothing lost
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    // Lines consumed after the last pointer write (it is rewritten every 20 ms while advancing) come again.
    expect(duplicated).toBeLessThan(beforeCrash);
    expect([...counts.values()].every((n) => n <= 2)).toBe(true);
    console.log(`crash test: ${beforeCrash} lines recorded before kill -9, ${duplicated} delivered twice after the restart`);
  }, 120_000);
});
