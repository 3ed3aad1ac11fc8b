import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

const example = fileURLToPath(new URL("../../config/examples/scheduler/main.ts", import.meta.url));

describe("config/examples/scheduler", () => {
  it("runs a delayed action, a periodic job that cancels itself after 5 runs, and a timeout cancelled before it fires", async () => {
    const { code, stdout, stderr } = await runProgram(runtimeCommand(example), { timeoutMs: 60_000 });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("report"))).toEqual(["report 1", "report 2", "report 3", "report 4", "report 5"]);
    expect(lines.filter((line) => !line.startsWith("report"))).toEqual(["reminder", "timeout cancelled: true", "done"]);
  });
});
