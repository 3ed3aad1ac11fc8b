/**
 * A journal after `kill -9` of `mongoose run` mid-stream: readable up to its last whole record, every
 * event in it whole and in order; the next run cuts the torn tail off (with a warning) and goes on in a
 * new file.
 */
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { JournalEntry } from "../../src/core/journal/journal-entry.ts";
import { readJournal } from "../../src/core/journal/journal-reader.ts";
import { committedPipelineYaml, TRANSFORM_HANDLER } from "../committed-pipeline.ts";
import { eventually, tempDir } from "../helpers.ts";
import { runServer } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const TOTAL = 300_000;
const id = (i: number) => String(i).padStart(6, "0");

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-journal-crash-")));
afterEach(() => temp.cleanup());

function journalBytes(folder: string): number {
  if (!existsSync(folder)) return 0;
  return readdirSync(folder).reduce((sum, name) => sum + statSync(join(folder, name)).size, 0);
}

function read(dir: string): { entries: JournalEntry[]; torn: { file: string; offset: number }[] } {
  const torn: { file: string; offset: number }[] = [];
  const entries = [...readJournal(dir, "transform", { onTornTail: (file, offset) => torn.push({ file, offset }) })];
  return { entries, torn };
}

describe("journal after kill -9", () => {
  it("is readable up to its last whole record, in order; the next run cuts a torn tail off and goes on", async () => {
    writeFileSync(temp.path("in.txt"), Array.from({ length: TOTAL }, (_, i) => `in-${id(i)}`).join("\n") + "\n");
    writeFileSync(temp.path("transform.ts"), TRANSFORM_HANDLER);
    const yaml = temp.path("app.yaml");
    writeFileSync(yaml, committedPipelineYaml({ agent: "processor", handlers: ["transform: {handler: ./transform.ts}"], top: ["journal: {dir: journal, rollBytes: 1048576, retainFiles: 0}"] }));
    const dir = temp.path("journal");
    const folder = join(dir, "transform");

    const first = runServer(MAIN, yaml);
    await eventually(() => journalBytes(folder) > 3 * 1048576, `3 MiB of journal; log:\n${first.log()}`, 150_000);
    first.child.kill();
    await first.child.exitCode;

    const { entries, torn } = read(dir);
    expect(entries[0]).toMatchObject({ kind: "start", config: {} });
    const events = entries.slice(1);
    expect(events.length).toBeGreaterThan(10_000);
    expect(events.length).toBeLessThan(TOTAL); // it really was interrupted
    // Every event whole and in order: the n-th line, with sequence n, nothing missing in between.
    const wrong = events.filter((entry, i) => entry.kind !== "event" || entry.feed !== "in" || entry.sequence !== i + 1 || entry.value !== `in-${id(i)}`);
    expect(wrong.slice(0, 3)).toEqual([]);
    const files = readdirSync(folder).sort();
    expect(files.length).toBeGreaterThan(2);
    // A torn tail, if the kill cut a write, only at the end of the last file.
    expect(torn.length).toBeLessThanOrEqual(1);
    for (const place of torn) expect(place.file).toBe(join(folder, files.at(-1)!));

    console.log(`journal after the kill: ${events.length} events in ${files.length} files, torn tail: ${JSON.stringify(torn)}`);
    const second = runServer(MAIN, yaml);
    await eventually(() => readdirSync(folder).length > files.length && read(dir).entries.length > entries.length, `the second run's records; log:\n${second.log()}`, 150_000);
    second.child.interrupt("SIGTERM");
    expect(await second.child.exitCode).toBe(0);
    const after = read(dir);
    expect(after.torn).toEqual([]);
    expect(after.entries.filter((entry) => entry.kind === "start").length).toBe(2);
    expect(after.entries.slice(0, events.length + 1)).toEqual(entries);
    if (torn.length > 0) expect(second.log()).toContain("journal file ended inside a record");
  });
});
