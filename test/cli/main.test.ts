import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { writeFileSync } from "node:fs";
import { runtime } from "../../src/runtime/mod.ts";
import { CONFIG_SCHEMA_VERSION, PLUGIN_API_VERSION } from "../../src/plan/versions.ts";
import { FIXTURES, tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand, start } from "../process.ts";

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

  it("logs only warnings and errors with --log-level warn", async () => {
    const { code, stdout, stderr } = await runProgram(mongoose("run", "--log-level", "warn"), { interruptAfter: "#20 vwap" });
    expect(code).toBe(0);
    expect(stdout).toContain("#20 vwap");
    expect(stderr).toBe("");
  });

  it("prints its version, its help and each command's help", async () => {
    const version = await runProgram(mongoose("--version"));
    expect(version.code).toBe(0);
    const [first, schema, pluginApi, ...rest] = version.stdout.split("\n");
    expect(first).toBe(`mongoose 0.1.0 (${runtime.name} ${runtime.version}, source)`);
    expect(schema.startsWith(`config schema ${CONFIG_SCHEMA_VERSION} `)).toBe(true);
    expect(pluginApi.startsWith(`plugin API ${PLUGIN_API_VERSION} `)).toBe(true);
    expect(rest).toEqual([""]);
    const help = await runProgram(mongoose("--help"));
    expect(help.code).toBe(0);
    for (const command of ["run", "validate", "bench", "admin", "replay"]) expect(help.stdout).toContain(`mongoose ${command}`);
    for (const command of ["run", "validate", "replay"]) {
      const commandHelp = await runProgram(mongoose(command, "--help"));
      expect(commandHelp.code).toBe(0);
      expect(commandHelp.stdout.split(" ").slice(0, 3)).toEqual(["Usage:", "mongoose", command]);
    }
  });

  it("exits 2 with usage for an unknown command, a bad option, missing arguments or no command", async () => {
    const cases = [["frobnicate"], ["run", "--log-level", "loud"], ["run", "--frob"], ["validate"], ["run", "a.yaml", "b.yaml"], []];
    for (const args of cases) {
      const { code, stdout, stderr } = await runProgram(mongoose(...args));
      expect(code).toBe(2);
      expect(stdout + stderr).toContain("Usage:");
    }
    const unknown = await runProgram(mongoose("frobnicate"));
    expect(unknown.stderr.split("\n")[0]).toBe(`unknown command "frobnicate"`);
  });

  it("exits 2 for admin without a command, saying what it needs", async () => {
    const { code, stderr } = await runProgram(mongoose("admin"));
    expect(code).toBe(2);
    expect(stderr).toContain("admin needs a command name, or --list");
  });

  it("exits 2 naming a configuration file it cannot read", async () => {
    const { code, stderr } = await runProgram(mongoose("run", "no-such-app.yaml"));
    expect(stderr.trim()).toBe("invalid configuration:\n  - no-such-app.yaml: cannot read the configuration file (ENOENT)");
    expect(code).toBe(2);
  });

  it("exits at once, with 1, on a second Ctrl-C while a slow stop is draining", async () => {
    const folder = tempDir("mongoose-cli-");
    try {
      writeFileSync(folder.path("app.yaml"), `eventHandlers:\n  - agentName: a\n    eventHandlers:\n      slow: {handler: ${FIXTURES}slow-stop.ts}\n`);
      const child = start(mongoose("run", folder.path("app.yaml")));
      let stderr = "";
      let interrupted = false;
      const stopping = new Promise<void>((resolve) => child.onStderr((text) => {
        stderr += text;
        // Once: log lines after "server running" arrive in chunks of their own.
        if (!interrupted && stderr.includes("server running")) {
          interrupted = true;
          child.interrupt();
        }
        if (stderr.includes("stopping:")) resolve();
      }));
      await Promise.race([stopping, child.exitCode.then((code) => Promise.reject(new Error(`exited with ${code} before stopping:\n${stderr}`)))]);
      child.interrupt();
      expect(await child.exitCode).toBe(1);
      expect(stderr).toContain("SIGINT again: exiting without draining");
      expect(stderr).not.toContain(" stopped "); // the handler's stop takes 30 s: it exited without it
    } finally {
      folder.cleanup();
    }
  });
});
