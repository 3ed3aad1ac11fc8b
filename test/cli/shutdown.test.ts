/**
 * SIGTERM through the real command line (`mongoose run app.yaml`): a normal stop flushes the sink and
 * saves the read pointer exactly where the output ends; a stop that cannot finish within
 * `shutdownTimeoutMs` still ends, exits 1 and says what did not finish.
 */
import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, FIXTURES, tempDir } from "../helpers.ts";
import { committedPipelineYaml } from "../committed-pipeline.ts";
import { runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-shutdown-")));
afterEach(() => temp.cleanup());

const outputLines = () => (existsSync(temp.path("out.txt")) ? readFileSync(temp.path("out.txt"), "utf8").split("\n").slice(0, -1) : []);

/** `in.txt` (COMMITTED) → `handler` on agent "work" → file sink `out.txt`; `top` adds top-level YAML lines. */
function writeApp(handler: string, configMap: string, top: string[] = []): string {
  const yaml = temp.path("app.yaml");
  writeFileSync(yaml, committedPipelineYaml({ agent: "work", top, handlers: [`h: {handler: ${FIXTURES}${handler}.ts, configMap: ${configMap}}`] }));
  return yaml;
}

/** Runs until `ready`, then SIGTERM; returns the exit code and the log. */
async function runThenTerminate(yaml: string, ready: () => boolean, description: string): Promise<{ code: number | null; log: string }> {
  const child = start(runtimeCommand(MAIN, ["run", yaml]));
  let log = "";
  child.onStdout(() => {});
  child.onStderr((text) => (log += text));
  try {
    await eventually(ready, `${description}; log so far:\n${log}`, 30_000);
  } finally {
    child.interrupt("SIGTERM");
  }
  return { code: await child.exitCode, log };
}

describe("SIGTERM", () => {
  it("stops cleanly mid-file: exit 0, the sink flushed, the pointer saved right after the last line written; a restart goes on without a duplicate", async () => {
    const total = 100_000;
    const input = Array.from({ length: total }, (_, i) => `line-${i}`);
    writeFileSync(temp.path("in.txt"), input.join("\n") + "\n");
    const yaml = writeApp("forwarder", "{}");
    const first = await runThenTerminate(yaml, () => outputLines().length > 0, "the first lines");
    expect(first.code).toBe(0);
    const written = outputLines();
    expect(written).toEqual(input.slice(0, written.length)); // in order, nothing missing, nothing torn
    const pointer = JSON.parse(readFileSync(temp.path("in.txt.readPointer"), "utf8"));
    expect(pointer.offset).toBe(input.slice(0, written.length).join("\n").length + 1);
    expect(pointer.handledOffset).toBeUndefined(); // nothing handled beyond it: a restart repeats nothing

    const second = await runThenTerminate(yaml, () => outputLines().length >= total, "the rest of the file");
    expect(second.code).toBe(0);
    expect(second.log).not.toContain("delivered again");
    expect(outputLines()).toEqual(input);
  }, 90_000);

  it("a stop that cannot finish within shutdownTimeoutMs ends anyway, exits 1 and reports the ring still holding events, the sink not flushed and the pointer not saved", async () => {
    writeFileSync(temp.path("in.txt"), Array.from({ length: 5_000 }, (_, i) => `line-${i}`).join("\n") + "\n");
    // 20 ms per event: draining 5,000 events would take 100 s. One event per duty cycle, so the agent
    // answers the stop's requests between events (it is slow, not stuck).
    const yaml = writeApp("slow", "{delayMicros: 20000}", ["shutdownTimeoutMs: 1500", "agentThreads: [{agentName: work, batchSize: 1}]"]);
    const { code, log } = await runThenTerminate(yaml, () => outputLines().length > 0, "the first line");
    expect(code).toBe(1);
    const problems = log.split("\n").filter((line) => line.includes("stop problem: "));
    expect(problems.find((line) => line.includes("shutdown did not finish within shutdownTimeoutMs (1500 ms)"))).toContain(`drain handlers on agent "work"`);
    expect(problems.find((line) => line.includes(`feed ring "in" from "io-agent" to agent "work" still held`))).toMatch(/still held [\d,]+ events/);
    expect(problems.some((line) => line.includes(`sink "out" on agent "io-agent" was not flushed`))).toBe(true);
    expect(problems.some((line) => line.includes(`feed "in" on agent "io-agent" did not save its read pointer at stop`))).toBe(true);
  }, 60_000);
});
