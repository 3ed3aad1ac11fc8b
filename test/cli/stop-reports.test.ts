import { describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FIXTURES, tempDir } from "../helpers.ts";
import { type Finished, runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/**
 * Runs `mongoose run` on `yaml` (written to app.yaml in `folder`) until `ready` holds for its output,
 * then presses Ctrl-C and collects everything it printed.
 */
async function runUntil(folder: string, yaml: string, ready: (output: Omit<Finished, "code">) => boolean, args: string[] = []): Promise<Finished> {
  writeFileSync(`${folder}/app.yaml`, yaml);
  const child = start(runtimeCommand(MAIN, ["run", `${folder}/app.yaml`, ...args]));
  const output = { stdout: "", stderr: "" };
  let interrupted = false;
  const check = () => {
    if (interrupted || !ready(output)) return;
    interrupted = true;
    child.interrupt();
  };
  child.onStdout((text) => (output.stdout += text, check()));
  child.onStderr((text) => (output.stderr += text, check()));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill();
      reject(new Error(`mongoose run did not finish in time\nstdout: ${output.stdout}\nstderr: ${output.stderr}`));
    }, 60_000);
  });
  try {
    const code = await Promise.race([child.exitCode, timeout]);
    return { code, ...output };
  } finally {
    clearTimeout(timer);
  }
}

const numbers = (count: number) => Array.from({ length: count }, (_, i) => String(i + 1)).join("\n") + "\n";
const printed = (stdout: string, line: string) => stdout.split("\n").includes(line);

describe("mongoose run: errors, stop reports and exit codes", () => {
  it("logs a handler's first errors, then a summary of the suppressed rest; the stop stays clean and counts them all", async () => {
    const folder = tempDir("mongoose-stop-");
    try {
      writeFileSync(folder.path("in.txt"), numbers(3_000) + "done\n");
      const yaml = `eventFeeds:
  - {name: in, type: file, filename: in.txt, readStrategy: ONCE_EARLIEST, broadcast: true}
eventSinks:
  - {name: out, type: console}
eventHandlers:
  - agentName: a
    eventHandlers:
      fragile: {handler: ${FIXTURES}failing.ts, configMap: {failEvery: 1}}
`;
      // failing.ts throws on every number and forwards "done": once printed, every error happened.
      const { code, stdout, stderr } = await runUntil(folder.dir, yaml, ({ stdout }) => printed(stdout, "done"));
      const lines = stderr.split("\n");
      const logged = lines.filter((line) => line.includes("TypeError: cannot handle") && !line.includes("suppressed")).length;
      const summaries = lines.map((line) => /handler fragile: ([\d,]+) more errors suppressed in the last [\d.]+ s \(onEvent: TypeError: cannot handle \d+\)/.exec(line))
        .filter((match) => match !== null);
      expect(summaries.length).toBeGreaterThan(0);
      const suppressed = summaries.reduce((sum, match) => sum + Number(match![1].replaceAll(",", "")), 0);
      expect(logged + suppressed).toBe(3_000);
      expect(stderr).toMatch(/INFO {2}stopped .*errorsReported=3000/);
      expect(stdout).toContain("done");
      expect(code).toBe(0);
    } finally {
      folder.cleanup();
    }
  });

  it("exits 1 when a handler's stop or a sink's tearDown throws, naming each; the log leaves out fields without a value", async () => {
    const folder = tempDir("mongoose-stop-");
    try {
      const yaml = `eventSinks:
  - {name: out, type: module, module: ${FIXTURES}stubborn-sink.ts}
eventHandlers:
  - agentName: a
    eventHandlers:
      recorder: {handler: ${FIXTURES}lifecycle-recorder.ts, configMap: {logFile: ${folder.path("lifecycle.log")}, failIn: stop}}
`;
      const { code, stderr } = await runUntil(folder.dir, yaml, ({ stderr }) => stderr.includes("server running"));
      expect(stderr).toContain(`handler "recorder" on agent "a" failed during stop: Error: recorder refuses to stop`);
      expect(stderr).toMatch(/sink "out" on agent "[\w-]+" failed during tearDown: Error: cannot release the connection/);
      const failure = stderr.split("\n").find((line) => line.includes("ERROR") && line.includes("recorder refuses to stop"));
      expect(failure).toMatch(/ phase=stop/);
      expect(failure).not.toContain("undefined");
      expect(stderr).not.toContain("=undefined");
      expect(code).toBe(1);
    } finally {
      folder.cleanup();
    }
  });

  it("writes JSON log lines without empty fields for a failed stop", async () => {
    const folder = tempDir("mongoose-stop-");
    try {
      const yaml = `eventHandlers:
  - agentName: a
    eventHandlers:
      recorder: {handler: ${FIXTURES}lifecycle-recorder.ts, configMap: {logFile: ${folder.path("lifecycle.log")}, failIn: tearDown}}
eventSinks:
  - {name: out, type: memory}
`;
      const { code, stderr } = await runUntil(folder.dir, yaml, ({ stderr }) => stderr.includes("server running"), ["--log-format", "json"]);
      const entries = stderr.trim().split("\n").map((line) => JSON.parse(line));
      const failure = entries.find((entry) => entry.level === "error" && entry.phase === "tearDown");
      expect(failure).toMatchObject({ message: "Error: recorder refuses to tear down", agent: "a", component: "recorder" });
      expect(Object.values(failure).includes(null)).toBe(false);
      expect("feed" in failure || "sequenceNumber" in failure || "event" in failure).toBe(false);
      const stopped = entries.find((entry) => entry.message === "stopped with problems");
      expect(stopped.problems).toEqual([`handler "recorder" on agent "a" failed during tearDown: Error: recorder refuses to tear down`]);
      expect(code).toBe(1);
    } finally {
      folder.cleanup();
    }
  });

  // /dev/full (every write fails with ENOSPC) is Linux's.
  if (existsSync("/dev/full")) it("exits 1 naming the sink and how many values it lost when its writes fail (ENOSPC)", async () => {
    const folder = tempDir("mongoose-stop-");
    try {
      writeFileSync(folder.path("in.txt"), numbers(100));
      const yaml = `eventFeeds:
  - {name: in, type: file, filename: in.txt, readStrategy: ONCE_EARLIEST, broadcast: true}
eventSinks:
  - {name: out, type: file, filename: /dev/full}
  - {name: echo, type: console}
eventHandlers:
  - agentName: a
    eventHandlers:
      writer: {handler: ${FIXTURES}forwarder.ts, configMap: {sink: out}}
      echo: {handler: ${FIXTURES}forwarder.ts, configMap: {sink: echo}}
`;
      // Once the echo printed the last line, the feed published every line: the stop drains them all to "out".
      const { code, stdout, stderr } = await runUntil(folder.dir, yaml, ({ stdout }) => printed(stdout, "100"));
      expect(stdout.trim().split("\n").length).toBe(100);
      // Bun says "ENOSPC: no space left on device, write", Deno "No space left on device (os error 28)".
      expect(stderr).toMatch(/stop problem: sink "out" on agent "io-agent" lost 100 values: Error: .*no space left on device/i);
      expect(code).toBe(1);
    } finally {
      folder.cleanup();
    }
  });

  it("exits 1 naming the feed and its read pointer when the pointer cannot be saved (EISDIR)", async () => {
    const folder = tempDir("mongoose-stop-");
    try {
      writeFileSync(folder.path("in.txt"), numbers(5));
      mkdirSync(folder.path("in.txt.readPointer"));
      const yaml = `eventFeeds:
  - {name: in, type: file, filename: in.txt, readStrategy: COMMITTED, broadcast: true}
eventSinks:
  - {name: echo, type: console}
eventHandlers:
  - agentName: a
    eventHandlers:
      echo: {handler: ${FIXTURES}forwarder.ts, configMap: {sink: echo}}
`;
      const { code, stdout, stderr } = await runUntil(folder.dir, yaml, ({ stdout }) => printed(stdout, "5"));
      expect(stdout).toBe(numbers(5));
      expect(stderr).toMatch(/feed "in" on agent "[\w-]+" failed during tearDown: \w+: could not save its read pointer \S+in\.txt\.readPointer: .*EISDIR/);
      expect(code).toBe(1);
    } finally {
      folder.cleanup();
    }
  });
});
