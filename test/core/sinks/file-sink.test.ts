import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { boot, eventually, tempDir } from "../../helpers.ts";

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-file-sink-")));
afterEach(() => temp.cleanup());

const lines = (file: string) => readFileSync(file, "utf8").split("\n").slice(0, -1);

function config(file: string, extra: Record<string, unknown> = {}) {
  return {
    eventFeeds: [{ name: "in", type: "memory" as const, broadcast: true }],
    eventSinks: [{ name: "out", type: "file" as const, filename: file, ...extra } as never],
    eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
  };
}

describe("file sink", () => {
  it("appends one line per value into a file whose folders it creates, promptly, and loses nothing on stop", async () => {
    const file = temp.path("deep/er/out.jsonl");
    const server = await boot(config(file));
    try {
      server.offer("in", "plain text");
      server.offer("in", { id: 1, name: "é ✓" });
      await eventually(() => {
        try {
          return lines(file).length === 2;
        } catch {
          return false;
        }
      }, "the lines to reach the file before the server stops");
      for (let i = 0; i < 5000; i++) server.offer("in", i);
    } finally {
      await server.stop();
    }
    const written = lines(file);
    expect(written.slice(0, 2)).toEqual(["plain text", `{"id":1,"name":"é ✓"}`]);
    expect(written.slice(2)).toEqual(Array.from({ length: 5000 }, (_, i) => String(i)));
  });

  it("appends to an existing file, with fsync and a json value mapper", async () => {
    const file = temp.path("out.txt");
    const first = await boot(config(file, { fsync: true, valueMapper: "json" }));
    first.offer("in", "quoted");
    await first.stop();
    const second = await boot(config(file, { fsync: true, valueMapper: "json" }));
    second.offer("in", { n: 2 });
    await second.stop();
    expect(lines(file)).toEqual([`"quoted"`, `{"n":2}`]);
  });

  it("fails the boot naming the sink when it cannot open its file", async () => {
    const directory = temp.path("taken");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(directory);
    await expect(boot(config(directory), { logLevel: "silent" })).rejects.toThrow(/sink "out" on agent "io-agent" failed during start: .*EISDIR/);
  });

  it("fails the boot naming the sink, the filename and the file in the way when a folder of the path is a file", async () => {
    const { writeFileSync, readFileSync: read } = await import("node:fs");
    writeFileSync(temp.path("afile"), "keep me\n");
    for (const filename of [temp.path("afile/out.txt"), temp.path("afile/deeper/out.txt")]) {
      for (const inline of [false, true]) {
        await expect(boot(config(filename), { logLevel: "silent", inline })).rejects.toThrow(
          `sink "out" on agent "io-agent" failed during start: Error: sink "out": cannot create the folders of filename ${filename}: ${temp.path("afile")} is a file, not a directory`,
        );
      }
    }
    expect(read(temp.path("afile"), "utf8")).toBe("keep me\n");
  });

  // /dev/full (every write fails with ENOSPC) is Linux's.
  if (existsSync("/dev/full")) {
    it("declares the values of a failed write lost: counted, reported, and the stop is not clean", async () => {
      const server = await boot(config("/dev/full"), { logLevel: "silent" });
      const reports: string[] = [];
      server.onError((report) => reports.push(report.message));
      for (let i = 0; i < 50; i++) server.offer("in", i);
      const report = await server.stop();
      expect(server.counter("sink_lost_total", { sink: "out" })).toBe(50);
      expect(report.clean).toBe(false);
      // Bun says "ENOSPC: no space left on device, write", Deno "No space left on device (os error 28)".
      expect(report.problems.length).toBe(1);
      expect(report.problems[0]).toMatch(/^sink "out" on agent "io-agent" lost 50 values: Error: .*no space left on device/i);
      expect(reports.length).toBeGreaterThan(0);
      expect(reports.every((message) => /^lost \d+ values: Error: .*no space left on device/i.test(message))).toBe(true);
    });
  }
});
