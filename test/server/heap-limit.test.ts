import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ErrorReport, MongooseConfig } from "../../src/mod.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { boot, eventually, FIXTURES, tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const HEAP_MB = 64;

// "hoggish" allocates without bound once it gets "hog"; "steady" keeps forwarding its own feed.
const config = (): MongooseConfig => ({
  agentThreads: [{ agentName: "hoggish", maxHeapMb: HEAP_MB }],
  eventFeeds: [{ name: "to-hog", type: "memory" }, { name: "to-steady", type: "memory" }],
  eventSinks: [{ name: "steady-out", type: "memory" }],
  eventHandlers: [
    { agentName: "hoggish", eventHandlers: { hog: { handler: "./heap-hog.ts", configMap: { subscribe: ["to-hog"] } } } },
    { agentName: "steady", eventHandlers: { relay: { handler: "./forwarder.ts", configMap: { subscribe: ["to-steady"], sink: "steady-out" } } } },
  ],
});

/** Starts `mongoose run` on a configuration, collecting its stderr; `stop` kills it if still running. */
function runServer(file: string) {
  const child = start(runtimeCommand(MAIN, ["run", file]));
  const output = { stderr: "", exited: false };
  child.onStdout(() => {});
  child.onStderr((text) => (output.stderr += text));
  const exitCode = child.exitCode.finally(() => (output.exited = true));
  return { output, exitCode, interrupt: () => child.interrupt(), stop: () => output.exited || child.kill() };
}

/** The same two agents for `mongoose run`: "hog" comes from a file (when `hog`), ticks from an interval feed. */
function yamlConfig(folder: ReturnType<typeof tempDir>, hog: boolean): string {
  writeFileSync(folder.path("hog.txt"), hog ? "hog\n" : "");
  const yaml = `agentThreads:
  - agentName: hoggish
    maxHeapMb: ${HEAP_MB}
eventFeeds:
  - name: to-hog
    type: file
    filename: hog.txt
    readStrategy: EARLIEST
  - name: to-steady
    type: interval
    periodMs: 20
eventSinks:
  - name: steady-out
    type: file
    filename: ticks.jsonl
    valueMapper: json
eventHandlers:
  - agentName: hoggish
    eventHandlers:
      hog: { handler: ${FIXTURES}heap-hog.ts, configMap: { subscribe: [to-hog] } }
  - agentName: steady
    eventHandlers:
      relay: { handler: ${FIXTURES}forwarder.ts, configMap: { subscribe: [to-steady], sink: steady-out } }
`;
  writeFileSync(folder.path("app.yaml"), yaml);
  return folder.path("app.yaml");
}

const ticksWritten = (folder: ReturnType<typeof tempDir>) =>
  existsSync(folder.path("ticks.jsonl")) ? readFileSync(folder.path("ticks.jsonl"), "utf8").split("\n").filter(Boolean).length : 0;

describe(`agentThreads[].maxHeapMb on ${runtime.name}`, () => {
  const folder = tempDir("mongoose-heap-limit-");
  afterAll(() => folder.cleanup());

  it("is not enforced for an inline agent, which shares the supervisor's heap, and the boot log says so", async () => {
    const { code, stderr } = await runProgram(runtimeCommand(`${FIXTURES}inline-heap-bound.ts`));
    expect(code).toBe(0);
    expect(stderr).toContain(`maxHeapMb 64 of agent "local" is not enforced: an inline agent shares the supervisor's thread and heap`);
  });

  if (runtime.boundsWorkerHeap) {
    it("ends only the agent that exceeds its heap bound, reports why, and the rest runs and stops", async () => {
      const server = await boot(config(), { logLevel: "silent", drainTimeoutMs: 5_000, requestTimeoutMs: 5_000 });
      const reports: ErrorReport[] = [];
      server.onError((report) => reports.push(report));
      try {
        server.offer("to-steady", 1);
        await server.sink("steady-out").waitFor(1);
        server.offer("to-hog", "hog");
        await eventually(() => reports.some((r) => r.agent === "hoggish"), "a report about agent hoggish", 30_000);
        expect(reports.find((r) => r.agent === "hoggish")?.message).toContain(`agent "hoggish" died: exceeded its heap limit of ${HEAP_MB} MB`);
        expect(server.health().agents.find((a) => a.name === "hoggish")?.state).toBe("dead");
        for (let i = 2; i <= 50; i++) server.offer("to-steady", i);
        expect(await server.sink("steady-out").waitFor(50)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
        const stopped = await server.stop();
        expect(stopped.clean).toBe(false);
        expect(stopped.problems.join("\n")).toContain(`agent "hoggish"`);
      } finally {
        await server.stop();
      }
    });

    it("mongoose run: the process survives the runaway agent, keeps writing, and exits 1 on Ctrl-C", async () => {
      const server = runServer(yamlConfig(folder, true));
      try {
        await eventually(() => server.output.stderr.includes("agent died"), "the agent died log line", 30_000);
        expect(server.output.stderr).toMatch(/agent died agent=hoggish reason="exceeded its heap limit of 64 MB/);
        const ticksAtDeath = ticksWritten(folder);
        await eventually(() => ticksWritten(folder) > ticksAtDeath + 5, "ticks written after the death", 30_000);
        server.interrupt();
        expect(await server.exitCode).toBe(1);
        expect(server.output.stderr).toMatch(/stopped with problems.*agent \\"hoggish\\"/);
      } finally {
        server.stop();
      }
    });
  } else {
    it("is not enforced here, and mongoose run says so when the agent boots", async () => {
      // Bun (JavaScriptCore) cannot bound one worker's heap: a runaway handler would abort this whole
      // process, so only the warning is checked, with no "hog" event sent.
      const server = runServer(yamlConfig(folder, false));
      try {
        await eventually(() => server.output.stderr.includes("server running"), "the server to run", 30_000);
        server.interrupt();
        expect(await server.exitCode).toBe(0);
        expect(server.output.stderr).toContain(`maxHeapMb ${HEAP_MB} of agent "hoggish" is not enforced: bun cannot bound one worker's heap`);
      } finally {
        server.stop();
      }
    });
  }
});
