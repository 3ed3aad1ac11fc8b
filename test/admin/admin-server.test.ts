import { describe, expect, it } from "bun:test";
import { ConfigError, type MongooseServer } from "../../src/mod.ts";
import { boot } from "../helpers.ts";

const config = {
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
};

async function withAdmin(run: (server: MongooseServer, url: string) => Promise<void>): Promise<void> {
  const server = await boot({ ...config, admin: { port: 0 } }, { logLevel: "silent" });
  try {
    await run(server, server.adminUrl!);
  } finally {
    await server.stop();
  }
}

describe("admin server", () => {
  it("serves the topology and the command registry over real HTTP on the port it picked", async () => {
    await withAdmin(async (server, url) => {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const topology = await (await fetch(`${url}api/topology`)).json();
      expect(topology.agents.map((a: { name: string }) => a.name)).toEqual(server.topology().agents.map((a) => a.name));
      const commands = await (await fetch(`${url}api/commands`)).json();
      expect(commands.map((c: { name: string }) => c.name)).toContain("help");
      const help = await fetch(`${url}api/commands/help`, { method: "POST", body: JSON.stringify(["quit"]) });
      expect(help.status).toBe(200);
      expect((await help.json()).result).toContain("stops the server gracefully");
    });
  });

  it("answers malformed requests with a 4xx and a message, and keeps serving", async () => {
    await withAdmin(async (_server, url) => {
      const cases: [string, RequestInit, number][] = [
        ["nope", {}, 404],
        ["api/commands/hlep", { method: "POST" }, 404],
        ["api/commands/help", { method: "POST", body: "{not json" }, 400],
        ["api/commands/config.update", { method: "POST", body: "[]" }, 400],
      ];
      for (const [path, init, status] of cases) {
        const response = await fetch(`${url}${path}`, init);
        expect(response.status).toBe(status);
        expect(typeof (await response.json()).error).toBe("string");
      }
      expect((await fetch(`${url}api/topology`)).status).toBe(200);
    });
  });

  it("refuses to boot on a port already in use, naming it and the setting, with nothing started", async () => {
    await withAdmin(async (_server, url) => {
      const port = Number(new URL(url).port);
      const attempt = boot({ ...config, admin: { port } }, { logLevel: "silent" });
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(`admin.port: port ${port} on 127.0.0.1 is already in use`);
    });
  });

  it("runs only when the configuration asks for it when embedded, and never with admin: false", async () => {
    for (const admin of [undefined, false] as const) {
      const server = await boot({ ...config, ...(admin === false && { admin }) }, { logLevel: "silent" });
      expect(server.adminUrl).toBeUndefined();
      await server.stop();
    }
  });
});
