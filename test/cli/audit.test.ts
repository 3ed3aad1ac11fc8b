import { describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, FIXTURES, tempDir } from "../helpers.ts";
import { runProgram, runServer, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const TOKEN = "cli-audit-secret-5c1e";

const readEntries = (file: string): Record<string, unknown>[] => {
  try {
    return readFileSync(file, "utf8").trim().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
  } catch {
    return [];
  }
};

describe("the audit log of a real mongoose run", () => {
  it("records `mongoose admin` calls as via cli and SIGHUP reloads, failed ones too, as via signal with their report; the token never appears", async () => {
    const folder = tempDir("mongoose-cli-audit-");
    try {
      const yaml = (level: number) => [
        `admin: {port: 0, auditLog: audit/admin.jsonl, tokens: {ops: "${TOKEN}"}}`,
        "eventFeeds: [{name: in, type: memory, broadcast: true}]",
        "eventHandlers:",
        "  - agentName: a",
        `    eventHandlers: {cmd: {handler: ${FIXTURES}commander.ts, configMap: {level: ${level}}}}`,
        "",
      ].join("\n");
      writeFileSync(folder.path("app.yaml"), yaml(1));
      const server = runServer(MAIN, folder.path("app.yaml"));
      const file = folder.path("audit/admin.jsonl");
      try {
        await eventually(() => server.log().includes("server running"), "the server to run", 30_000);
        const url = /admin: (http:\/\/\S+)/.exec(server.log())![1];
        const echo = await runProgram(runtimeCommand(MAIN, ["admin", "cmd.echo", "x=1", "--url", url, "--token", TOKEN]));
        expect(echo.code).toBe(0);
        const refused = await runProgram(runtimeCommand(MAIN, ["admin", "help", "--url", url, "--token", "not-it"]));
        expect(refused.code).toBe(1);
        writeFileSync(folder.path("app.yaml"), yaml(2));
        server.child.interrupt("SIGHUP");
        await eventually(() => readEntries(file).some((entry) => entry.via === "signal"), "the reload to be audited", 30_000);
        const [cli, rejected, reload] = readEntries(file);
        expect(cli).toMatchObject({ via: "cli", caller: "127.0.0.1", tokenId: "ops", command: "cmd.echo", args: ["x=1"], outcome: { ok: true, status: 200 } });
        expect(rejected).toMatchObject({ via: "cli", tokenId: "rejected", request: "POST /api/commands/help", outcome: { ok: false, status: 401 } });
        expect(reload).toMatchObject({ via: "signal", command: "reload", args: { file: folder.path("app.yaml") }, outcome: { ok: true, report: { applied: ["a/cmd"], rejected: [], needsRestart: [] } } });
        writeFileSync(folder.path("app.yaml"), "eventFeeds: [{name: in, type: nowhere}]\n");
        server.child.interrupt("SIGHUP");
        await eventually(() => readEntries(file).length === 4, "the failed reload to be audited", 30_000);
        expect(readEntries(file)[3]).toMatchObject({ via: "signal", command: "reload", outcome: { ok: false } });
        expect(readEntries(file)[3].outcome).toHaveProperty("error", expect.stringContaining("eventFeeds[0].type"));
        expect(readFileSync(file, "utf8")).not.toContain(TOKEN);
      } finally {
        server.child.interrupt("SIGTERM");
        expect(await server.child.exitCode).toBe(0);
      }
    } finally {
      folder.cleanup();
    }
  });
});
