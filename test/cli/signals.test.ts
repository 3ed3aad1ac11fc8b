import { describe, expect, it } from "bun:test";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, FIXTURES, tempDir } from "../helpers.ts";
import { type Child, runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** A running `mongoose run` whose stderr is collected; `until` waits for a text, failing if the program ends first. */
function mongooseRun(config: string): { child: Child; stderr(): string; until(text: string): Promise<void> } {
  const child = start(runtimeCommand(MAIN, ["run", config]));
  let stderr = "";
  const waiters: { text: string; resolve(): void }[] = [];
  child.onStdout(() => {});
  child.onStderr((text) => {
    stderr += text;
    for (const waiter of waiters.filter((w) => stderr.includes(w.text))) waiter.resolve();
  });
  return {
    child,
    stderr: () => stderr,
    until: (text) => Promise.race([
      new Promise<void>((resolve) => (stderr.includes(text) ? resolve() : waiters.push({ text, resolve }))),
      child.exitCode.then((code) => Promise.reject(new Error(`exited with ${code} before logging "${text}":\n${stderr}`))),
    ]),
  };
}

const readText = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

/** A file feed `in` (read from the start) broadcast to one handler module on `agent`, writing to the file sink `out`. */
function fileToFileYaml(folder: { path(name: string): string }, agent: string, handler: string, fixture: string): string {
  return [
    "eventFeeds:",
    `  - {name: in, type: file, filename: ${folder.path("in.txt")}, readStrategy: EARLIEST, broadcast: true}`,
    "eventSinks:",
    `  - {name: out, type: file, filename: ${folder.path("out.txt")}}`,
    "eventHandlers:",
    `  - agentName: ${agent}`,
    `    eventHandlers: {${handler}: {handler: ${FIXTURES}${fixture}.ts}}`,
    "",
  ].join("\n");
}

describe("mongoose run and signals", () => {
  it("SIGHUP reloads the unchanged file and never ends the server: it keeps delivering, then SIGTERM drains and exits 0", async () => {
    const folder = tempDir("mongoose-sighup-");
    try {
      writeFileSync(folder.path("in.txt"), "first\n");
      writeFileSync(folder.path("app.yaml"), fileToFileYaml(folder, "a", "forward", "forwarder"));
      const server = mongooseRun(folder.path("app.yaml"));
      await server.until("server running");
      await eventually(() => readText(folder.path("out.txt")) === "first\n", "the first line to be delivered", 30_000);
      server.child.interrupt("SIGHUP");
      await server.until("SIGHUP: reloading the configuration file");
      await server.until("reload done");
      appendFileSync(folder.path("in.txt"), "after hangup\n");
      await eventually(() => readText(folder.path("out.txt")) === "first\nafter hangup\n", "a line written after SIGHUP to be delivered", 30_000);
      server.child.interrupt("SIGTERM");
      expect(await server.child.exitCode).toBe(0);
      expect(server.stderr()).toContain("stopped");
    } finally {
      folder.cleanup();
    }
  });

  it("SIGTERM with an agent already unresponsive gives up on it at once, naming it and its undelivered events; exit 1", async () => {
    const folder = tempDir("mongoose-stuck-");
    try {
      writeFileSync(folder.path("in.txt"), "first\n");
      writeFileSync(folder.path("app.yaml"), fileToFileYaml(folder, "stuck-agent", "hanger", "hanger"));
      const server = mongooseRun(folder.path("app.yaml"));
      await eventually(() => readText(folder.path("out.txt")) === "first\n", "the first line to be delivered", 30_000);
      appendFileSync(folder.path("in.txt"), "hang\nleft 1\nleft 2\n");
      // The watchdog reports the endless loop after unresponsiveAfterMs (5 s by default).
      await server.until("agent unresponsive");
      server.child.interrupt("SIGTERM");
      await server.until("press Ctrl-C again to exit without draining");
      expect(await server.child.exitCode).toBe(1);
      const stderr = server.stderr();
      const givenUp = stderr.match(/agent \\"stuck-agent\\" is unresponsive \(no heartbeat for \d+ ms[^)]*\)\): given up on without draining, (\d+) events undelivered/);
      expect(givenUp).not.toBeNull();
      // "hang" and the two lines after it at least; the report counts what the stuck agent never consumed.
      expect(Number(givenUp![1])).toBeGreaterThanOrEqual(3);
      expect(stderr).toContain(`stopped with problems`);
      expect(stderr).toContain(`undeliveredEvents=${givenUp![1]}`);
      expect(stderr).not.toContain("did not answer"); // it was not waited for until a timeout
      expect(readText(folder.path("out.txt"))).toBe("first\n");
    } finally {
      folder.cleanup();
    }
  });

  it("a slow stop says whom it waits for, and a second signal exits at once with 1", async () => {
    const folder = tempDir("mongoose-slow-stop-");
    try {
      writeFileSync(folder.path("app.yaml"), `eventHandlers:\n  - agentName: slow-agent\n    eventHandlers:\n      slow: {handler: ${FIXTURES}slow-stop.ts}\n`);
      const server = mongooseRun(folder.path("app.yaml"));
      await server.until("server running");
      server.child.interrupt("SIGTERM");
      await server.until("SIGTERM received: stopping (press Ctrl-C again to exit without draining)");
      await server.until(`stop waiting for agent "slow-agent" to stop handlers`);
      server.child.interrupt("SIGINT");
      expect(await server.child.exitCode).toBe(1);
      expect(server.stderr()).toContain("SIGINT again: exiting without draining");
    } finally {
      folder.cleanup();
    }
  });

  it("SIGTERM during a boot stuck in start() aborts it at once: logged, the stuck agent given up on, what started stopped; exit 1", async () => {
    const folder = tempDir("mongoose-stuck-boot-");
    try {
      writeFileSync(folder.path("app.yaml"), [
        "eventSinks:",
        `  - {name: out, type: file, filename: ${folder.path("out.txt")}}`,
        "eventHandlers:",
        "  - agentName: starter",
        `    eventHandlers: {never: {handler: ${FIXTURES}never-starts.ts}}`,
        "  - agentName: fine",
        `    eventHandlers: {fine: {handler: ${FIXTURES}lifecycle-recorder.ts, configMap: {logFile: ${folder.path("lifecycle.txt")}}}}`,
        "",
      ].join("\n"));
      const server = mongooseRun(folder.path("app.yaml"));
      await server.until("start called: it never resolves");
      await server.until(`boot waiting for start of handler "never" on agent "starter"`);
      server.child.interrupt("SIGTERM");
      await server.until("SIGTERM received during boot: aborting the boot");
      expect(await server.child.exitCode).toBe(1);
      const stderr = server.stderr();
      expect(stderr).toContain("server failed during boot: aborted (SIGTERM received)");
      expect(stderr).toMatch(/agent died agent=starter reason="had not finished \\"start handlers\\" when the boot was aborted"/);
      expect(stderr).not.toContain("did not answer"); // nothing was waited for until a timeout
      expect(stderr).not.toContain("server running");
      // The agent that did start was stopped and torn down.
      expect(readText(folder.path("lifecycle.txt"))).toBe("fine init\nfine start\nfine stop\nfine tearDown\n");
    } finally {
      folder.cleanup();
    }
  });
});
