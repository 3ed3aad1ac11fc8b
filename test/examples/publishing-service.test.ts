import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const EXAMPLE = fileURLToPath(new URL("../../config/examples/publishing-service/", import.meta.url));
const mongoose = runtimeCommand(fileURLToPath(new URL("../../src/main.ts", import.meta.url)));

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-publishing-service-")));
afterEach(() => temp.cleanup());

const averages = () => {
  const file = temp.path("data-out/averages.txt");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((line) => line !== "") : [];
};

/** What the example writes: ticks alternate AAPL/MSFT, each cycling base-1, base, base+1. */
function expectedLines(): string[] {
  const lines: string[] = [];
  const sums = { AAPL: 0, MSFT: 0 };
  for (let round = 0; round < 10; round++) {
    for (const [symbol, base] of [["AAPL", 100], ["MSFT", 110]] as const) {
      const price = base + (round % 3) - 1;
      sums[symbol] += price;
      lines.push(`${round} ${symbol} ${price.toFixed(2)} avg ${(sums[symbol] / (round + 1)).toFixed(2)}`);
    }
  }
  return lines;
}

describe("config/examples/publishing-service", () => {
  it("a worker service publishes a feed that a handler subscribes to by name, formatted by an agent-local service", async () => {
    cpSync(EXAMPLE, temp.dir, { recursive: true, filter: (source) => !source.includes("data-out") });
    const { code, stdout, stderr } = await runProgram([...mongoose, "run", temp.path("app.yaml")], {
      // Outputs can be complete before the boot is (its last steps answer late on a loaded machine): a signal then aborts the boot.
      interruptWhen: ({ stderr }) => averages().length >= 20 && stderr.includes("dashboard: "),
    });
    expect(stderr).not.toContain("ERROR");
    expect(stdout).toBe("");
    expect(code).toBe(0);
    expect(averages()).toEqual(expectedLines());
  });
});
