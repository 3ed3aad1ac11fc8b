import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, FIXTURES, tempDir } from "../helpers.ts";
import { runProgram, runServer, runtimeCommand, type RunningServer } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const mongoose = (...args: string[]) => runtimeCommand(MAIN, args);

/** Starts `mongoose run app.yaml`; resolves with it and its admin URL once it runs. */
async function running(yaml: string): Promise<{ server: RunningServer; url: string }> {
  const server = runServer(MAIN, yaml);
  await eventually(() => server.log().includes("server running"), "mongoose run to start", 30_000);
  const url = /admin: (http:\/\/\S+)/.exec(server.log())?.[1];
  if (!url) throw new Error(`no admin URL in the log:\n${server.log()}`);
  return { server, url };
}

async function stopped(server: RunningServer): Promise<void> {
  server.child.interrupt();
  expect(await server.child.exitCode).toBe(0);
}

describe("mongoose admin --persist and --reset", () => {
  it("persists a change to app.tuning.yaml, which the next mongoose run applies; --reset --persist reverts and removes it", async () => {
    const folder = tempDir("mongoose-tuning-cli-");
    const yaml = folder.path("app.yaml");
    const overlay = folder.path("app.tuning.yaml");
    writeFileSync(yaml, [
      "admin: {port: 0}",
      "eventFeeds: [{name: in, type: memory, broadcast: true}]",
      "eventSinks: [{name: out, type: memory}]",
      "eventHandlers:",
      "  - agentName: worker",
      "    eventHandlers:",
      `      fwd: {handler: ${FIXTURES}forwarder.ts}`,
      "",
    ].join("\n"));
    try {
      const first = await running(yaml);
      try {
        const changed = await runProgram(mongoose("admin", "agent.batchSize", "worker", "8", "--persist", "--url", first.url));
        expect(changed.stderr).toBe("");
        expect(changed.code).toBe(0);
        expect(changed.stdout).toContain(`"overlay": "${overlay}"`);
        expect(readFileSync(overlay, "utf8")).toContain("agents:\n  worker:\n    batchSize: 8\n");
        const misuse = await runProgram(mongoose("admin", "tuning.show", "--reset", "--url", first.url));
        expect(misuse.code).toBe(2);
        expect(misuse.stderr).toContain("--reset reverts every runtime tuning (tuning.reset) and takes no command");
      } finally {
        await stopped(first.server);
      }

      const second = await running(yaml);
      try {
        // Applied once the agents run, so it is logged just after "server running".
        await eventually(() => second.server.log().includes("tuning overlay applied"), "the overlay to be applied");
        const shown = await runProgram(mongoose("admin", "tuning.show", "--url", second.url));
        expect(JSON.parse(shown.stdout)).toEqual({ tuned: { agents: { worker: { batchSize: 8 } } } });
        const reset = await runProgram(mongoose("admin", "--reset", "--persist", "--url", second.url));
        expect(reset.code).toBe(0);
        expect(reset.stdout).toContain('"reverted"');
        expect(existsSync(overlay)).toBe(false);
        const after = await runProgram(mongoose("admin", "tuning.show", "--url", second.url));
        expect(JSON.parse(after.stdout)).toEqual({ tuned: {} });
      } finally {
        await stopped(second.server);
      }
    } finally {
      folder.cleanup();
    }
  });
});
