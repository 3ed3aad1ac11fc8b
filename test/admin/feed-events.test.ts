import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import type { MongooseServer } from "../../src/mod.ts";
import { boot, eventually } from "../helpers.ts";

const TOKEN = "feed-events-token";

describe("POST /api/feeds/{name}/events", () => {
  let server: MongooseServer;
  const post = (feed: string, body: string, token: string | null = TOKEN) =>
    fetch(`${server.adminUrl}api/feeds/${feed}/events`, { method: "POST", body, headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }, { name: "beat", type: "interval", periodMs: 60_000, broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
      admin: { port: 0, token: TOKEN },
    }, { logLevel: "silent" });
  });

  afterAll(async () => {
    await server.stop();
  });

  it("offers each JSON line as one event to the memory feed, in order", async () => {
    const response = await post("in", '{"n":1}\n\n"two"\n3\n');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ feed: "in", offered: 3, lastSequence: 3 });
    await eventually(() => server.sink("out").values().length === 3, "the events forwarded to the sink");
    expect(server.sink("out").values()).toEqual([{ n: 1 }, "two", 3]);
  });

  it("offers nothing when a line is not JSON, and says which line (400)", async () => {
    const response = await post("in", '{"n":4}\n{oops\n');
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("line 2 of the body is not JSON");
    expect(server.counter("feed_published_total", { feed: "in" })).toBe(3);
  });

  it("answers 400 for a feed that is not a memory feed, 404 for an unknown one, 401 without the token", async () => {
    const interval = await post("beat", "1\n");
    expect(interval.status).toBe(400);
    expect((await interval.json()).error).toBe('feed "beat" is type interval: events can be offered over HTTP only to memory feeds');
    const unknown = await post("nope", "1\n");
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBe('no feed named "nope"');
    expect((await post("in", "1\n", null)).status).toBe(401);
  });
});

describe("POST /api/feeds/{name}/events with a traceparent header", () => {
  const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const echoServer = (tracing: boolean) =>
    boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { echo: { handler: "./trace-echo.ts" } } }],
      admin: { port: 0 },
      ...(tracing && { tracing: {} }),
    }, { logLevel: "silent" });
  const post = (server: MongooseServer, body: string, traceparent?: string) =>
    fetch(`${server.adminUrl}api/feeds/in/events`, { method: "POST", body, headers: traceparent === undefined ? {} : { traceparent } });

  it("hands the header to the handlers with every event of the request when tracing is configured", async () => {
    const server = await echoServer(true);
    try {
      expect((await post(server, "1\n2\n", TRACEPARENT)).status).toBe(200);
      expect((await post(server, "3\n")).status).toBe(200);
      await eventually(() => server.sink("out").values().length === 3, "three events echoed");
      expect(server.sink("out").values()).toEqual([
        { event: 1, traceparent: TRACEPARENT },
        { event: 2, traceparent: TRACEPARENT },
        { event: 3, traceparent: null },
      ]);
    } finally {
      await server.stop();
    }
  });

  it("ignores it without tracing configured", async () => {
    const server = await echoServer(false);
    try {
      expect((await post(server, "1\n", TRACEPARENT)).status).toBe(200);
      await eventually(() => server.sink("out").values().length === 1, "the event echoed");
      expect(server.sink("out").values()).toEqual([{ event: 1, traceparent: null }]);
    } finally {
      await server.stop();
    }
  });
});

describe("POST /api/feeds/{name}/events into a full ring", () => {
  it("answers 503 saying how many events went out when an offer gives up after offerTimeoutMs", async () => {
    // The handler spends 3 s on its first event, so the small ring behind it fills and stays full.
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true, ringCapacity: 1024 }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "a", eventHandlers: { slow: { handler: "./slow.ts", configMap: { firstDelayMicros: 3_000_000, delayMicros: 0 } } } }],
      admin: { port: 0 },
    }, { logLevel: "silent", offerTimeoutMs: 200 });
    try {
      const events = Array.from({ length: 500 }, (_, n) => JSON.stringify({ n })).join("\n");
      const response = await fetch(`${server.adminUrl}api/feeds/in/events`, { method: "POST", body: events });
      expect(response.status).toBe(503);
      const body = await response.json() as { error: string; offered: number; lastSequence: number };
      expect(body.offered).toBeGreaterThan(0);
      expect(body.offered).toBeLessThan(500);
      expect(body.lastSequence).toBe(body.offered);
      expect(body.error.startsWith(`event ${body.offered + 1} could not be offered: `)).toBe(true);
      await eventually(() => server.sink("out").values().length === body.offered, "the events offered before the timeout delivered", 30_000);
    } finally {
      await server.stop();
    }
  });
});
