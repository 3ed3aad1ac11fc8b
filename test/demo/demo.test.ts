import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { DEMO_YAML } from "../../src/demo/demo.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const DEMO_FILE = fileURLToPath(new URL("../../config/demo.yaml", import.meta.url));
const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

describe("the demo", () => {
  it("embeds the same configuration as config/demo.yaml, but for where the handler is", () => {
    const file = parse(readFileSync(DEMO_FILE, "utf8"));
    const embedded = parse(DEMO_YAML);
    expect(file.eventHandlers[0].eventHandlers.vwap.handler).toBe("../src/demo/vwap.ts");
    expect(embedded.eventHandlers[0].eventHandlers.vwap.handler).toBe("./vwap.ts");
    file.eventHandlers[0].eventHandlers.vwap.handler = embedded.eventHandlers[0].eventHandlers.vwap.handler;
    expect(file).toEqual(embedded);
  });

  it("runs from config/demo.yaml (npm start) with the same output as the built-in copy", async () => {
    const fromFile = await runProgram(runtimeCommand(MAIN, ["run", DEMO_FILE]), { interruptAfter: "#40 vwap" });
    const builtIn = await runProgram(runtimeCommand(MAIN, ["run"]), { interruptAfter: "#40 vwap" });
    expect(fromFile.code).toBe(0);
    expect(builtIn.code).toBe(0);
    const firstTwo = (stdout: string) => stdout.split("\n").slice(0, 2);
    expect(firstTwo(fromFile.stdout)[1]).toMatch(/^#40 vwap {2}AAPL \d+\.\d\d \(\d+\) {2}MSFT/);
    expect(firstTwo(fromFile.stdout)).toEqual(firstTwo(builtIn.stdout)); // seeded: runs repeat
  });
});
