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

describe("mongoose run and signals", () => {
  it("SIGHUP is logged and ignored: the server keeps delivering, then SIGTERM drains and exits 0", async () => {
    const folder = tempDir("mongoose-sighup-");
    try {
      writeFileSync(folder.path("in.txt"), "first\n");
      writeFileSync(folder.path("app.yaml"), [
        "eventFeeds:",
        `  - {name: in, type: file, filename: ${folder.path("in.txt")}, readStrategy: EARLIEST, broadcast: true}`,
        "eventSinks:",
        `  - {name: out, type: file, filename: ${folder.path("out.txt")}}`,
        "eventHandlers:",
        "  - agentName: a",
        `    eventHandlers: {forward: {handler: ${FIXTURES}forwarder.ts}}`,
        "",
      ].join("\n"));
      const server = mongooseRun(folder.path("app.yaml"));
      await server.until("server running");
      await eventually(() => readText(folder.path("out.txt")) === "first\n", "the first line to be delivered", 30_000);
      server.child.interrupt("SIGHUP");
      await server.until("SIGHUP received: ignored (configuration reload is not supported yet)");
      appendFileSync(folder.path("in.txt"), "after hangup\n");
      await eventually(() => readText(folder.path("out.txt")) === "first\nafter hangup\n", "a line written after SIGHUP to be delivered", 30_000);
      server.child.interrupt("SIGTERM");
      expect(await server.child.exitCode).toBe(0);
      expect(server.stderr()).toContain("stopped");
    } finally {
      folder.cleanup();
    }
  });
});
