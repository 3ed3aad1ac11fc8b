import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

describe("config/examples/embedding", () => {
  it("prices the orders it can and reports the one it cannot", async () => {
    const example = fileURLToPath(new URL("../../config/examples/embedding/main.ts", import.meta.url));
    const { code, stdout, stderr } = await runProgram(runtimeCommand(example));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").map((line) => JSON.parse(line))).toEqual([
      { id: 1, symbol: "AAPL", quantity: 10, notional: 1902.5, currency: "USD" },
      { id: 2, symbol: "MSFT", quantity: 3, notional: 1264.5, currency: "USD" },
      { id: 3, symbol: "NVDA", quantity: 7, error: "no price for NVDA" },
    ]);
  });
});
