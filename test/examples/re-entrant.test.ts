import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

const example = fileURLToPath(new URL("../../config/examples/re-entrant/main.ts", import.meta.url));

describe("config/examples/re-entrant", () => {
  it("ticks exactly 20 times, in order, through ctx.emit and the scheduler on a blocking agent, then stops", async () => {
    const { code, stdout, stderr } = await runProgram(runtimeCommand(example), { timeoutMs: 60_000 });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    const ticks = lines.slice(0, -1).map((line) => JSON.parse(line));
    expect(ticks).toEqual(Array.from({ length: 20 }, (_, i) => ({ tick: i + 1, feed: "@reentrant", sequenceNumber: i + 1 })));
    // No 21st event after the stop either: the handler saw exactly its 20 ticks.
    expect(lines.at(-1)).toBe("events delivered to the handler: 20, stopped clean: true");
  });
});
