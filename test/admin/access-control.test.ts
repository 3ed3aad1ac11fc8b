import { describe, expect, it } from "bun:test";
import { ConfigError, type MongooseConfig } from "../../src/mod.ts";
import { sameSecret } from "../../src/admin/access-control.ts";
import { boot } from "../helpers.ts";

const TOKEN = "s3cret-token";
const base: MongooseConfig = {
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
};

async function withAdmin(admin: Record<string, unknown>, run: (url: string) => Promise<void>): Promise<void> {
  const server = await boot({ ...base, admin: { port: 0, ...admin } }, { logLevel: "silent" });
  try {
    await run(server.adminUrl!);
  } finally {
    await server.stop();
  }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("admin access control", () => {
  it("with a token, refuses every POST without it or with a wrong one (401, JSON), accepts the right one, and leaves GETs open", async () => {
    await withAdmin({ token: TOKEN }, async (url) => {
      const help = `${url}api/commands/help`;
      for (const headers of [{}, bearer("wrong"), bearer(`${TOKEN}x`), bearer(TOKEN.slice(0, -1)), { authorization: TOKEN }, { authorization: `Basic ${TOKEN}` }]) {
        const refused = await fetch(help, { method: "POST", headers, body: '["quit"]' });
        expect(refused.status).toBe(401);
        expect((await refused.json()).error).toContain("Bearer");
      }
      const accepted = await fetch(help, { method: "POST", headers: bearer(TOKEN), body: '["quit"]' });
      expect(accepted.status).toBe(200);
      expect((await accepted.json()).result).toContain("stops the server gracefully");
      for (const path of ["health/live", "health/ready", "api/topology", "api/commands"]) expect((await fetch(`${url}${path}`)).status).toBe(200);
    });
  });

  it("never runs a refused command: quit without the token leaves the server serving", async () => {
    await withAdmin({ token: TOKEN }, async (url) => {
      expect((await fetch(`${url}api/commands/quit`, { method: "POST" })).status).toBe(401);
      expect((await fetch(`${url}health/live`)).status).toBe(200);
    });
  });

  it("with protectReads, every request needs the token", async () => {
    await withAdmin({ token: TOKEN, protectReads: true }, async (url) => {
      for (const path of ["health/live", "health/ready", "api/topology", "api/commands", "no-such-path"]) {
        const refused = await fetch(`${url}${path}`);
        expect(refused.status).toBe(401);
        expect(typeof (await refused.json()).error).toBe("string");
      }
      expect((await fetch(`${url}health/live`, { headers: bearer(TOKEN) })).status).toBe(200);
    });
  });

  it("refuses to boot on a non-loopback host without a token, unless allowUnauthenticated", async () => {
    const attempt = boot({ ...base, admin: { host: "0.0.0.0", port: 0 } }, { logLevel: "silent" });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(/admin\.host: "0\.0\.0\.0" is not a loopback address and admin\.token is not set.*admin\.allowUnauthenticated: true/);
    for (const admin of [{ host: "0.0.0.0", allowUnauthenticated: true }, { host: "0.0.0.0", token: TOKEN }, { host: "localhost" }, { host: "127.0.0.2" }]) {
      await withAdmin(admin, async (url) => {
        expect(url).toMatch(/^http:\/\//);
      });
    }
  });

  it("compares tokens by content only", () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    for (const given of ["", "s", TOKEN.slice(0, -1), `${TOKEN}!`, TOKEN.toUpperCase(), "ș3cret-token"]) expect(sameSecret(given, TOKEN)).toBe(false);
  });
});
