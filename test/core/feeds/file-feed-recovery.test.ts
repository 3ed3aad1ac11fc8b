/**
 * The file feed when its input or its read pointer is not what it expects, through the real command
 * line (`mongoose run app.yaml`): what is delivered to the sink file, and what the log says.
 */
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, FIXTURES, tempDir } from "../../helpers.ts";
import { type Child, runtimeCommand, start } from "../../process.ts";

const MAIN = fileURLToPath(new URL("../../../src/main.ts", import.meta.url));

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-file-recovery-")));
afterEach(() => temp.cleanup());

/** Writes `<name>.yaml`: file feeds `in…` (each with `feed`'s keys) forwarded by one handler to the file sink `<name>.out.txt`. */
function app(name: string, feeds: Record<string, unknown>[]): string {
  const names = feeds.map((_, i) => (i === 0 ? "in" : `in${i + 1}`));
  const config = {
    admin: false,
    eventFeeds: feeds.map((feed, i) => ({ name: names[i], type: "file", filename: "in.txt", ...feed })),
    eventSinks: [{ name: "out", type: "file", filename: `${name}.out.txt` }],
    eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: `${FIXTURES}forwarder.ts`, configMap: { subscribe: names } } } }],
  };
  const path = temp.path(`${name}.yaml`);
  writeFileSync(path, JSON.stringify(config)); // JSON is YAML
  return path;
}

/** A `mongoose run` process and everything it has logged so far. */
interface Server {
  child: Child;
  log(): string;
  /** Ctrl-C, then its exit code. */
  stop(): Promise<number | null>;
}

function run(yaml: string): Server {
  const child = start(runtimeCommand(MAIN, ["run", yaml]));
  let stderr = "";
  child.onStdout(() => {});
  child.onStderr((text) => (stderr += text));
  return {
    child,
    log: () => stderr,
    stop: () => {
      child.interrupt();
      return child.exitCode;
    },
  };
}

/** Runs until `condition` holds, then stops; fails with the log if it does not stop cleanly. */
async function runUntil(yaml: string, condition: (server: Server) => boolean, description: string): Promise<string> {
  const server = run(yaml);
  try {
    await eventually(() => condition(server), `${description}; log so far:\n${server.log()}`, 30_000);
  } finally {
    const code = await server.stop();
    expect({ code, log: server.log() }).toMatchObject({ code: 0 });
  }
  return server.log();
}

const lines = (name: string) => (existsSync(temp.path(`${name}.out.txt`)) ? readFileSync(temp.path(`${name}.out.txt`), "utf8").split("\n").slice(0, -1) : []);
const occurrences = (text: string, part: string) => text.split(part).length - 1;
const opened = (server: Server) => server.log().includes("reading file");

describe("file feed recovery (mongoose run)", () => {
  it("LATEST delivers every line appended after start, skipping only the line unfinished at start", async () => {
    const input = temp.path("in.txt");
    writeFileSync(input, "a1\na2");
    const server = run(app("latest", [{ readStrategy: "LATEST" }]));
    try {
      await eventually(() => opened(server), "the feed to open the file", 30_000);
      appendFileSync(input, "\n");
      appendFileSync(input, "a3\n");
      appendFileSync(input, "a4\n");
      await eventually(() => lines("latest").includes("a4"), "a4 to be delivered", 30_000);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(lines("latest")).toEqual(["a3", "a4"]);
  }, 60_000);

  it("a file truncated and refilled at once is read again from its start, without fragments, and a warning", async () => {
    const input = temp.path("in.txt");
    writeFileSync(input, "first-line-aaaa\n");
    const server = run(app("refill", [{ readStrategy: "COMMITTED" }]));
    try {
      await eventually(() => lines("refill").length === 1, "the first line to be delivered", 30_000);
      writeFileSync(input, "");
      appendFileSync(input, "new1\nnew2\nnew3\nnew4\nnew5\n");
      await eventually(() => lines("refill").includes("new5"), "new5 to be delivered", 30_000);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(lines("refill")).toEqual(["first-line-aaaa", "new1", "new2", "new3", "new4", "new5"]);
    expect(server.log()).toMatch(/WARN .*file truncated or rewritten in place \(its first bytes changed\); reading it from the start .*path=\S*in\.txt/);
  }, 60_000);

  it("COMMITTED reads a different file with the old inode as a new file, saying so; a pointer of the first format still resumes", async () => {
    const input = temp.path("in.txt");
    writeFileSync(input, "old-1\nold-2\n");
    const yaml = app("reuse", [{ readStrategy: "COMMITTED" }]);
    await runUntil(yaml, () => lines("reuse").length === 2, "the old lines");
    const pointer = JSON.parse(readFileSync(`${input}.readPointer`, "utf8"));
    expect(pointer).toMatchObject({ offset: 12, inode: statSync(input).ino, device: statSync(input).dev, fingerprintLength: 12 });

    // Rewritten in place: device and inode stay, as when the filesystem reuses the inode of a deleted file.
    writeFileSync(input, "new-1\nnew-2\nnew-3\nnew-4\n");
    const log = await runUntil(yaml, () => lines("reuse").length === 6, "the four new lines");
    expect(lines("reuse")).toEqual(["old-1", "old-2", "new-1", "new-2", "new-3", "new-4"]);
    expect(log).toMatch(/WARN .*not the file the read pointer was written for; reading it from the beginning as a new file .*difference="its first 12 bytes differ/);

    // A pointer written before fingerprints: trusted by inode, and rewritten in the new format.
    writeFileSync(`${input}.readPointer`, JSON.stringify({ offset: 12, inode: statSync(input).ino }));
    appendFileSync(input, "new-5\n");
    const resumed = await runUntil(yaml, () => lines("reuse").length === 9, "the lines after the old pointer");
    expect(lines("reuse").slice(6)).toEqual(["new-3", "new-4", "new-5"]);
    expect(resumed).toContain("read pointer of the older format (inode only) accepted");
    expect(JSON.parse(readFileSync(`${input}.readPointer`, "utf8"))).toMatchObject({ offset: 30, fingerprintLength: 30 });
  }, 90_000);

  it("a corrupt read pointer is reported, naming it and what it holds, and the file is read from the beginning", async () => {
    const corrupt: [string, string][] = [
      ["garbage", `found="text that is not JSON: \\"garbage\\""`],
      ["", `found="an empty file"`],
      [`{"offset":-4,"inode":1}`, `found="offset -4, not a whole number >= 0"`],
      ["4.5", `found="\\"4.5\\", not an object with offset and inode"`],
      [`"4"`, `found="\\"\\\\\\"4\\\\\\"\\", not an object with offset and inode"`],
      ["null", `found="\\"null\\", not an object with offset and inode"`],
      ["[]", `found="\\"[]\\", not an object with offset and inode"`],
    ];
    const feeds = corrupt.map((_, i) => ({ readStrategy: "COMMITTED", filename: `in-${i}.txt` }));
    corrupt.forEach(([content], i) => {
      writeFileSync(temp.path(`in-${i}.txt`), `file-${i}-a\nfile-${i}-b\n`);
      writeFileSync(temp.path(`in-${i}.txt.readPointer`), content);
    });
    const log = await runUntil(app("corrupt", feeds), () => lines("corrupt").length === 2 * corrupt.length, "every line of every file");
    expect(lines("corrupt").sort()).toEqual(corrupt.flatMap((_, i) => [`file-${i}-a`, `file-${i}-b`]).sort());
    corrupt.forEach(([, found], i) => {
      const warning = log.split("\n").find((line) => line.includes("read pointer unusable") && line.includes(`pointer=${temp.path(`in-${i}.txt.readPointer`)} `));
      expect(warning).toContain("WARN  read pointer unusable; reading the file from the beginning");
      expect(warning).toContain(found);
      expect(JSON.parse(readFileSync(temp.path(`in-${i}.txt.readPointer`), "utf8"))).toMatchObject({ offset: 18 });
    });
  }, 60_000);

  it("a second server on the same COMMITTED file is refused at boot, naming the file and the owner; the lock goes at stop, and a crashed owner's lock is taken over", async () => {
    const input = temp.path("in.txt");
    const lock = `${input}.readPointer.lock`;
    writeFileSync(input, "one\ntwo\n");
    const owner = run(app("owner", [{ readStrategy: "COMMITTED" }]));
    try {
      await eventually(() => lines("owner").length === 2, `the owner to read the file; log so far:\n${owner.log()}`, 30_000);
      const { pid } = JSON.parse(readFileSync(lock, "utf8"));
      const second = run(app("second", [{ readStrategy: "COMMITTED" }]));
      expect(await second.child.exitCode).toBe(1);
      expect(second.log()).toContain(`cannot read ${input} with readStrategy COMMITTED: another server reads this file: pid ${pid} on host`);
      expect(second.log()).toContain(`holds the lock ${lock}`);
      expect(lines("second")).toEqual([]);
      appendFileSync(input, "three\n");
      await eventually(() => lines("owner").length === 3, "the owner to keep reading", 30_000);
    } finally {
      expect(await owner.stop()).toBe(0);
    }
    expect(existsSync(lock)).toBe(false);
    expect(JSON.parse(readFileSync(`${input}.readPointer`, "utf8"))).toMatchObject({ offset: 14 });

    const crashing = run(app("crashing", [{ readStrategy: "COMMITTED" }]));
    await eventually(() => opened(crashing) && existsSync(lock), "the crashing server to take the lock", 30_000);
    const { pid: crashedPid } = JSON.parse(readFileSync(lock, "utf8"));
    crashing.child.kill();
    await crashing.child.exitCode;
    expect(existsSync(lock)).toBe(true);
    appendFileSync(input, "four\n");
    const log = await runUntil(app("after", [{ readStrategy: "COMMITTED" }]), () => lines("after").length === 1, "the line appended after the crash");
    expect(lines("after")).toEqual(["four"]);
    expect(log).toMatch(new RegExp(`WARN .*took over a stale read pointer lock: its owner no longer runs .*pid=${crashedPid}`));
    expect(existsSync(lock)).toBe(false);
  }, 90_000);

  it("a missing input file is logged once while waited for, and once when it appears", async () => {
    const input = temp.path("in.txt");
    const server = run(app("missing", [{ readStrategy: "EARLIEST" }]));
    try {
      await eventually(() => server.log().includes("waiting for the file to appear"), `the wait to be logged; log so far:\n${server.log()}`, 30_000);
      writeFileSync(input, "finally\n");
      await eventually(() => lines("missing").length === 1, "the line to be delivered", 30_000);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const log = server.log();
    expect(log).toMatch(new RegExp(`INFO  waiting for the file to appear .*feed=in path=${input}`));
    expect(occurrences(log, "waiting for the file to appear")).toBe(1);
    expect(log).toMatch(new RegExp(`INFO  file appeared; reading it .*path=${input}`));
    expect(occurrences(log, "file appeared")).toBe(1);
  }, 60_000);
});
