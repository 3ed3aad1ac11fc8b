import { describe, expect, it } from "bun:test";
import { connect } from "node:net";
import type { MongooseServer } from "../../src/mod.ts";
import { boot, seededRandom } from "../helpers.ts";

const config = {
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
  admin: { port: 0 },
};

async function withAdmin(run: (server: MongooseServer, url: string) => Promise<void>): Promise<void> {
  const server = await boot(config, { logLevel: "silent" });
  try {
    await run(server, server.adminUrl!);
  } finally {
    await server.stop();
  }
}

/** Sends raw bytes on a fresh connection; resolves with what came back (maybe nothing) once it closes. */
function rawExchange(url: string, bytes: Uint8Array | string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let answer = "";
    const socket = connect(Number(port), hostname, () => socket.end(bytes));
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on("data", (chunk) => (answer += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => resolve(answer));
  });
}

describe("admin request robustness", () => {
  it("answers a wrong method with 405 and Allow, an oversize body with 413, a malformed one with 400", async () => {
    await withAdmin(async (_server, url) => {
      const put = await fetch(`${url}health/live`, { method: "PUT" });
      expect(put.status).toBe(405);
      expect(put.headers.get("allow")).toBe("GET, HEAD");
      expect((await put.json()).error).toContain("PUT is not allowed on /health/live");
      const get = await fetch(`${url}api/commands/help`);
      expect(get.status).toBe(405);
      expect(get.headers.get("allow")).toBe("POST");
      const huge = await fetch(`${url}api/commands/help`, { method: "POST", body: "[" + '"x",'.repeat(600_000) + '"x"]' });
      expect(huge.status).toBe(413);
      expect((await huge.json()).error).toBe("request body over 1048576 bytes");
      for (const body of ["42", "true", '[1, 2]', '["ok", {"a": 1}]']) {
        const wrong = await fetch(`${url}api/commands/help`, { method: "POST", body });
        expect(wrong.status).toBe(400);
        expect((await wrong.json()).error).toContain("the body must be the command's arguments");
      }
      const named = await fetch(`${url}api/commands/help`, { method: "POST", body: '{"_": ["quit"]}', headers: { "content-type": "application/json" } });
      expect(named.status).toBe(200);
    });
  });

  it("answers hundreds of random malformed requests with a 4xx (2xx where valid), keeps serving and loses no event", async () => {
    await withAdmin(async (server, url) => {
      const random = seededRandom(11);
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
      const garbage = (length: number) => Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join("");
      const bytes = (length: number) => Uint8Array.from({ length }, () => Math.floor(random() * 256));
      const methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "MKCOL"];
      const paths = [
        "", "health/live", "health/ready", "api/topology", "api/commands", "api/commands/help", "api/commands/", "api/commands/%ZZ",
        "api/commands/help/extra", "api//commands", "api/commands/..%2F..%2Fetc", "%00", "health/live?x=%FF", "api/commands/hlep",
        `api/commands/${"a".repeat(5000)}`, "metrics/../api/topology",
      ];
      const bodies: (() => BodyInit | undefined)[] = [
        () => undefined,
        () => "",
        () => "{",
        () => '["help", ',
        () => '{"_": [1]}',
        () => '{"_": "x"}',
        () => "null",
        () => JSON.stringify(garbage(50)),
        () => garbage(Math.floor(random() * 200)),
        () => bytes(Math.floor(random() * 3000)),
        () => '["' + "x".repeat(1_100_000) + '"]',
        () => JSON.stringify(["quit"]).slice(0, 5),
      ];
      const contentTypes = [undefined, "application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream", garbage(20)];
      const statuses = new Map<number, number>();
      for (let i = 0; i < 300; i++) {
        const method = pick(methods);
        const path = random() < 0.1 ? garbage(30).replace(/[#?\s]/g, "") : pick(paths);
        const headers: Record<string, string> = {};
        const type = pick(contentTypes);
        if (type) headers["content-type"] = type;
        if (random() < 0.2) headers.authorization = pick(["Bearer", "Bearer ", `Bearer ${garbage(10)}`, garbage(40)]);
        if (random() < 0.1) headers[`x-${garbage(8).replace(/[^a-z]/gi, "a")}`] = garbage(100);
        const body = method === "GET" || method === "HEAD" ? undefined : pick(bodies)();
        const response = await fetch(`${url}${path}`, { method, headers, body });
        await response.arrayBuffer();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status >= 500 || response.status < 200) throw new Error(`${method} /${path.slice(0, 80)} answered ${response.status}`);
        // The only commands reachable here are help (harmless) and misspellings: the server still runs.
      }
      expect([...statuses.keys()].filter((status) => status >= 400).length).toBeGreaterThanOrEqual(4);
      // Malformed HTTP itself: the runtime's server answers or closes the connection; the admin server survives.
      for (const raw of ["GARBAGE\r\n\r\n", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", "POST /api/commands/help HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[\"he", "\u0000\u0001\u0002"]) {
        const answer = await rawExchange(url, raw);
        expect(answer).not.toMatch(/^HTTP\/1\.[01] 5/);
      }
      await rawExchange(url, bytes(4096));
      const live = await fetch(`${url}health/live`);
      expect(live.status).toBe(200);
      for (let i = 0; i < 100; i++) server.offer("in", i);
      expect(await server.sink("out").waitFor(100)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    });
  });
});
