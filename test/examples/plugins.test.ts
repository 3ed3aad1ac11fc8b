import { describe, expect, it } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

describe("config/examples/plugins", () => {
  it("runs a custom feed and a custom sink loaded from .ts files", async () => {
    const example = fileURLToPath(new URL("../../config/examples/plugins/main.ts", import.meta.url));
    const output = fileURLToPath(new URL("../../config/examples/plugins/data-out/averages.csv", import.meta.url));
    rmSync(output, { force: true });
    const { code, stderr } = await runProgram(runtimeCommand(example));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const rows = readFileSync(output, "utf8").trim().split("\n");
    expect(rows[0]).toBe("step,symbol,price,average");
    expect(rows.length).toBe(21); // 10 prices for each of 2 symbols
    expect(rows.slice(1).map((row) => row.split(",")[0])).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(rows[1]).toBe(`0,"AAPL",99,99`);
  });
});
