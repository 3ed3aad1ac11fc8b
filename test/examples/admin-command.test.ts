import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

describe("config/examples/admin-command", () => {
  it("runs the handler's commands, shows the typed errors and stops with quit", async () => {
    const example = fileURLToPath(new URL("../../config/examples/admin-command/main.ts", import.meta.url));
    const { code, stdout, stderr } = await runProgram(runtimeCommand(example));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").map((line) => JSON.parse(line))).toEqual([
      ["positions.reset <symbol>", "positions.show [symbol]"],
      { AAPL: 6, MSFT: 5 },
      { symbol: "AAPL", was: 6 },
      { AAPL: 0 },
      { kind: "unknown", message: `unknown command "positions.rest"; did you mean "positions.reset"?` },
      { kind: "failed", message: `command "positions.reset" (book-agent/positions) failed: usage: positions.reset <symbol>` },
      { stopping: true },
      { clean: true },
    ]);
  });
});
