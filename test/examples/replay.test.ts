import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

const example = fileURLToPath(new URL("../../config/examples/replay/record-and-replay.ts", import.meta.url));

describe("config/examples/replay", () => {
  it("records a live run, replays its journal, and gets the same output byte for byte", async () => {
    const { code, stdout, stderr } = await runProgram(runtimeCommand(example), { timeoutMs: 120_000 });
    expect(stdout).toMatch(/replayed \d+ records .*trade-sampler: \d+ records \(40 events, \d+ timers fired/);
    expect(stdout).toMatch(/identical: \d+ lines in data-out\/live\.jsonl and data-out\/replayed\.jsonl/);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  }, 150_000);
});
