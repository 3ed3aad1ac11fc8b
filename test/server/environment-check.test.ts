import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

const program = fileURLToPath(new URL("../fixtures/boot-without.ts", import.meta.url));

/** Runs the fixture with `missing` deleted from globalThis; returns its exit code and its one JSON line. */
async function bootWithout(missing: string, mode: "inline" | "worker") {
  const { code, stdout, stderr } = await runProgram(runtimeCommand(program, [missing, mode]), { timeoutMs: 60_000 });
  return { code, stderr, result: JSON.parse(stdout.trim().split("\n").at(-1)!) };
}

describe("hosts without SharedArrayBuffer or Worker", () => {
  it("runs inline agents without Worker, delivering every event", async () => {
    const { code, stderr, result } = await bootWithout("Worker", "inline");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(result).toEqual({ received: Array.from({ length: 100 }, (_, i) => i), mode: ["inline", "inline"], clean: true });
  });

  it("refuses worker agents without Worker, naming the agent and the inline option", async () => {
    const { code, result } = await bootWithout("Worker", "worker");
    expect(code).toBe(1);
    expect(result.error).toBe(
      'BootError: server failed during environment check: Worker is not available in this runtime, and agent "edge-agent" ' +
        "would run on a Worker thread. Boot with { inline: true } to run every agent on the calling thread, or give their " +
        "handlers in-process (classes or factories) instead of module paths",
    );
  });

  for (const mode of ["inline", "worker"] as const) {
    it(`refuses to boot without SharedArrayBuffer (${mode} agents), saying what to do`, async () => {
      const { code, result } = await bootWithout("SharedArrayBuffer", mode);
      expect(code).toBe(1);
      expect(result.error).toContain("BootError: server failed during environment check: SharedArrayBuffer (with Atomics) is not available");
      expect(result.error).toContain("Run on Bun or Deno");
      expect(result.error).toContain("Cross-Origin-Embedder-Policy: require-corp");
    });
  }
});
