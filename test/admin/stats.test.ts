import { describe, expect, it } from "bun:test";
import { boot, eventually } from "../helpers.ts";

const config = {
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts" }, bad: { handler: "./failing.ts", configMap: { failEvery: 5 } } } }],
  admin: { port: 0 },
};

interface Stats {
  at: number;
  counters: { name: string; labels: Record<string, string>; value: number; help?: string }[];
  rings: { kind: string; name: string; producer: string; consumer: string; publishedEvents: number; consumedEvents: number; depth: number; highWaterMark: number; batchSizes: number[] }[];
  agents: { name: string; state: string }[];
  errors: { component: string; message: string }[];
  memory: { rssBytes: number; heapUsedBytes: number; heapTotalBytes: number; externalBytes: number };
}

const counter = (stats: Stats, name: string, labels: Record<string, string>) =>
  stats.counters.filter((c) => c.name === name && Object.entries(labels).every(([k, v]) => c.labels[k] === v)).reduce((n, c) => n + c.value, 0);

describe("GET /api/stats", () => {
  it("gives the counters, rings, agents, latest errors and process memory, with counts equal to the events sent", async () => {
    const server = await boot(config, { logLevel: "silent" });
    try {
      const url = `${server.adminUrl}api/stats`;
      const first = await (await fetch(url)).json() as Stats;
      for (let i = 1; i <= 20; i++) server.offer("in", i);
      let stats = first;
      await eventually(async () => {
        stats = await (await fetch(url)).json() as Stats;
        return counter(stats, "sink_written_total", { sink: "out" }) === 36; // 20 forwarded + 16 the failing handler let through
      }, "every event to reach the sink", 30_000);
      expect(stats.at).toBeGreaterThan(first.at);
      expect(counter(stats, "feed_published_total", { feed: "in" })).toBe(20);
      expect(counter(stats, "handler_events_total", { handler: "fwd" })).toBe(20);
      expect(counter(stats, "handler_errors_total", { handler: "bad" })).toBe(4);
      expect(stats.counters.every((c) => c.help === undefined)).toBe(true);
      const ring = stats.rings.find((r) => r.kind === "feed" && r.name === "in" && r.consumer === "a");
      expect(ring).toMatchObject({ publishedEvents: 20, consumedEvents: 20, depth: 0 });
      expect(ring!.highWaterMark).toBeGreaterThanOrEqual(1); // the consumer's own record, which the dashboard shows
      expect(ring!.batchSizes.reduce((polls, n) => polls + n, 0)).toBeGreaterThanOrEqual(1);
      expect(stats.agents.find((a) => a.name === "a")?.state).toBe("running");
      expect(stats.errors.map((e) => e.component)).toEqual(["bad", "bad", "bad", "bad"]);
      expect(stats.errors[0].message).toContain("cannot handle 5");
      expect(stats.memory.rssBytes).toBeGreaterThan(stats.memory.heapUsedBytes);
      expect(stats.memory.heapUsedBytes).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
  });

  it("refuses other methods with a 4xx and a message", async () => {
    const server = await boot(config, { logLevel: "silent" });
    try {
      for (const method of ["POST", "PUT", "DELETE"]) {
        const response = await fetch(`${server.adminUrl}api/stats`, { method, body: "{}" });
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(typeof (await response.json()).error).toBe("string");
      }
    } finally {
      await server.stop();
    }
  });
});

describe("GET /api/dashboard/latency", () => {
  it("always answers 200: the handlers' .hgrm curves when /api/latency answers, else why there are none", async () => {
    const server = await boot(config, { logLevel: "silent" });
    try {
      const response = await fetch(`${server.adminUrl}api/dashboard/latency`);
      expect(response.status).toBe(200);
      const view = await response.json() as { available: boolean; reason?: string; curves?: { handler: string; hgrm: string }[] };
      const latency = await fetch(`${server.adminUrl}api/latency`);
      await latency.body?.cancel();
      expect(view.available).toBe(latency.status === 200);
      if (view.available) for (const curve of view.curves!) expect(["bad", "fwd"]).toContain(curve.handler);
      else expect(view.reason).toContain("latency recording");
    } finally {
      await server.stop();
    }
  });
});
