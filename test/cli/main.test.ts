import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const mongoose = (...args: string[]) => runtimeCommand(MAIN, args);

describe("mongoose command line", () => {
  it("runs the demo until Ctrl-C, then drains and exits 0", async () => {
    const { code, stdout, stderr } = await runProgram(mongoose("run"), { interruptAfter: "#40 vwap" });
    expect(stdout).toMatch(/#20 vwap {2}\w+ \d+\.\d\d \(\d+\)/);
    expect(stderr).toContain("server running");
    expect(stderr).toContain("stopped");
    expect(code).toBe(0);
  });

  it("writes JSON log lines with --log-format json", async () => {
    const { code, stderr } = await runProgram(mongoose("run", "--log-format", "json"), { interruptAfter: "#20 vwap" });
    expect(code).toBe(0);
    const running = stderr.trim().split("\n").map((line) => JSON.parse(line)).find((entry) => entry.message === "server running");
    expect(running).toMatchObject({ level: "info", agent: "supervisor", agents: 1, feeds: 1, sinks: 1 });
  });

  it("prints its version and help", async () => {
    const version = await runProgram(mongoose("--version"));
    expect(version).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    const help = await runProgram(mongoose("--help"));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage:");
  });

  it("exits 2 with usage for an unknown command, a bad option, or a config file it cannot load yet", async () => {
    for (const args of [["frobnicate"], ["run", "--log-level", "loud"], ["run", "app.yaml"], []]) {
      const { code, stdout, stderr } = await runProgram(mongoose(...args));
      expect(code).toBe(2);
      expect(stdout + stderr).toMatch(/Usage:|not available yet/);
    }
  });
});
