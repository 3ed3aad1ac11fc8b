import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { FIXTURES, tempDir } from "../helpers.ts";
import { type Child, runProgram, runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const mongoose = (...args: string[]) => runtimeCommand(MAIN, args);
const TOKEN = "cli-test-token";

/** A TCP port something listens on (so nothing else can), on 127.0.0.1. */
async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe("mongoose admin against a running mongoose run", () => {
  const folder = tempDir("mongoose-admin-cli-");
  let child: Child;
  let url = "";
  let stderr = "";

  beforeAll(async () => {
    writeFileSync(folder.path("app.yaml"), [
      "admin: {port: 0, token: \"${ADMIN_TOKEN}\"}",
      "eventFeeds: [{name: in, type: memory, broadcast: true}]",
      "eventHandlers:",
      "  - agentName: a",
      "    eventHandlers:",
      `      cmd: {handler: ${FIXTURES}commander.ts}`,
      "",
    ].join("\n"));
    child = start(mongoose("run", folder.path("app.yaml")), { ADMIN_TOKEN: TOKEN });
    child.onStdout(() => {});
    await new Promise<void>((resolve, reject) => {
      child.onStderr((text) => {
        stderr += text;
        url ||= /admin: (http:\/\/\S+)/.exec(stderr)?.[1] ?? "";
        if (url && stderr.includes("server running")) resolve();
      });
      child.exitCode.then((code) => reject(new Error(`mongoose run exited with ${code}:\n${stderr}`)));
    });
  });

  afterAll(async () => {
    child.interrupt();
    await child.exitCode;
    folder.cleanup();
  });

  it("runs a command with its arguments and prints the result: JSON indented, a string as text", async () => {
    const echo = await runProgram(mongoose("admin", "cmd.echo", "pnl", "currency=EUR", "--url", url, "--token", TOKEN));
    expect(echo.stderr).toBe("");
    expect(echo.code).toBe(0);
    expect(JSON.parse(echo.stdout)).toEqual({ handler: "cmd", agent: "a", args: ["pnl", "currency=EUR"] });
    expect(echo.stdout).toContain('\n  "handler": "cmd"');
    const help = await runProgram(mongoose("admin", "help", "quit"), { env: { MONGOOSE_ADMIN_URL: url, MONGOOSE_ADMIN_TOKEN: TOKEN } });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("stops the server gracefully");
    expect(help.stdout.startsWith('"')).toBe(false);
  });

  it("lists the commands with --list", async () => {
    const { code, stdout } = await runProgram(mongoose("admin", "--list", "--url", url, "--token", TOKEN));
    expect(code).toBe(0);
    expect(stdout).toContain("cmd.echo [args]");
    expect(stdout).toContain("(a/cmd)");
    expect(stdout).toMatch(/^help\b/m);
  });

  it("exits 1 printing the error and its kind when the command fails or does not exist", async () => {
    const boom = await runProgram(mongoose("admin", "cmd.boom", "--url", url, "--token", TOKEN));
    expect(boom.code).toBe(1);
    expect(boom.stderr).toContain('command "cmd.boom" failed (failed):');
    expect(boom.stderr).toContain("boom");
    const unknown = await runProgram(mongoose("admin", "cmd.ehco", "--url", url, "--token", TOKEN));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("(unknown)");
    expect(unknown.stderr).toContain("cmd.echo");
  });

  it("exits 1 with a clear message when the token is missing or wrong, and the server keeps running", async () => {
    for (const token of [[], ["--token", "not-the-token"]]) {
      const { code, stdout, stderr: error } = await runProgram(mongoose("admin", "cmd.count", "--url", url, ...token));
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(error).toContain("401 unauthorized");
      expect(error).toContain("--token or MONGOOSE_ADMIN_TOKEN");
    }
    expect((await runProgram(mongoose("admin", "cmd.count", "--url", url, "--token", TOKEN))).code).toBe(0);
  });
});

describe("mongoose admin without a server, and its usage", () => {
  it("exits 1 naming the URL it could not reach and how to point elsewhere", async () => {
    const { port, server } = await occupyPort();
    await new Promise((resolve) => server.close(resolve)); // a port nothing listens on now
    const { code, stderr } = await runProgram(mongoose("admin", "help", "--url", `http://127.0.0.1:${port}`));
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot reach the admin server at http://127.0.0.1:${port}/`);
    expect(stderr).toContain("--url URL or MONGOOSE_ADMIN_URL");
  });

  it("exits 2 on a bad command line", async () => {
    for (const args of [["admin", "help", "--url", "not a url"], ["admin", "--list", "help"], ["admin", "help", "--frob"]]) {
      const { code, stderr } = await runProgram(mongoose(...args));
      expect(code).toBe(2);
      expect(stderr).toContain("Usage:");
    }
    const help = await runProgram(mongoose("admin", "--help"));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("mongoose admin --list");
  });
});

describe("mongoose run and its admin server's address", () => {
  const config = (admin: string) => `admin: ${admin}\neventFeeds: [{name: in, type: memory, broadcast: true}]\n`;

  it("exits 2 on an admin port already in use, naming the port and the settings, with nothing started", async () => {
    const folder = tempDir("mongoose-admin-port-");
    const { port, server } = await occupyPort();
    try {
      writeFileSync(folder.path("app.yaml"), config(`{port: ${port}}`));
      const { code, stderr } = await runProgram(mongoose("run", folder.path("app.yaml")));
      expect(code).toBe(2);
      expect(stderr).toContain(`admin.port: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).toContain("admin: false");
      expect(stderr).not.toContain("server running");
    } finally {
      server.close();
      folder.cleanup();
    }
  });

  it("exits 2 on a non-loopback admin host without a token, naming the settings, with nothing started", async () => {
    const folder = tempDir("mongoose-admin-host-");
    try {
      writeFileSync(folder.path("app.yaml"), config("{host: 0.0.0.0, port: 0}"));
      const { code, stderr } = await runProgram(mongoose("run", folder.path("app.yaml")));
      expect(code).toBe(2);
      expect(stderr).toContain("admin.host");
      expect(stderr).toContain('"0.0.0.0" is not a loopback address and admin.token is not set');
      expect(stderr).toContain("admin.allowUnauthenticated: true");
      expect(stderr).not.toContain("admin: http");
    } finally {
      folder.cleanup();
    }
  });

  it("honours MONGOOSE_ADMIN_PORT when the YAML names no port, and refuses a bad one", async () => {
    const folder = tempDir("mongoose-admin-env-");
    const { port, server } = await occupyPort();
    try {
      writeFileSync(folder.path("app.yaml"), "eventFeeds: [{name: in, type: memory, broadcast: true}]\n");
      const taken = await runProgram(mongoose("run", folder.path("app.yaml")), { env: { MONGOOSE_ADMIN_PORT: String(port) } });
      expect(taken.code).toBe(2);
      expect(taken.stderr).toContain(`admin.port: port ${port} on 127.0.0.1 is already in use`);
      const bad = await runProgram(mongoose("run", folder.path("app.yaml")), { env: { MONGOOSE_ADMIN_PORT: "80a" } });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('MONGOOSE_ADMIN_PORT: expected a port from 0 to 65535 (0 picks a free one), found "80a"');
    } finally {
      server.close();
      folder.cleanup();
    }
  });
});
