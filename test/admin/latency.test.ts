/**
 * Per-handler latency over real HTTP: a real server with worker agents, events flowing from a memory
 * feed on the supervisor's thread to handlers on other threads.
 */
import { describe, expect, it } from "bun:test";
import { latencyCollector } from "../../src/admin/metrics/latency-collector.ts";
import type { LatencyStats, LatencySummary, MongooseConfig, MongooseServer } from "../../src/mod.ts";
import { boot, eventually } from "../helpers.ts";

/** A fast forwarder and a handler that spends 2 ms of CPU on each event, on two agents. */
function config(latency?: MongooseConfig["latency"]): MongooseConfig {
  return {
    eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
    eventSinks: [{ name: "out", type: "memory" }],
    eventHandlers: [
      { agentName: "fast", eventHandlers: { fwd: { handler: "./forwarder.ts" } } },
      { agentName: "slow", eventHandlers: { busy: { handler: "./slow.ts", configMap: { delayMicros: 2000 } } } },
    ],
    ...(latency && { latency }),
    admin: { port: 0 },
  };
}

async function withServer(configuration: MongooseConfig, run: (server: MongooseServer, url: string) => Promise<void>, inline = false): Promise<void> {
  const server = await boot(configuration, { logLevel: "silent", inline });
  try {
    await run(server, server.adminUrl!);
  } finally {
    await server.stop();
  }
}

const HANDLERS = [["fast", "fwd"], ["slow", "busy"]];

/** Events `agent/handler` has handled, and (sampleEvery: 1) how many of those it has finished timing. */
function progress(server: MongooseServer, agent: string, handler: string): { handled: number; timed: number } {
  const timing = server.latency()!.handlers.find((h) => h.agent === agent && h.handler === handler)!;
  return { handled: server.counter("handler_events_total", { agent, handler }), timed: timing.service.count };
}

/**
 * Offers `count` events and waits until each of `handlers` (agent, name) has handled them and finished
 * timing them (with sampleEvery: 1): the events counter moves as delivery begins, the service time is
 * recorded once `onEvent` returns.
 */
async function flow(server: MongooseServer, count: number, handlers = HANDLERS): Promise<void> {
  const before = handlers.map(([agent, handler]) => progress(server, agent, handler));
  for (let i = 0; i < count; i++) server.offer("in", i);
  for (const [index, [agent, handler]] of handlers.entries()) {
    await eventually(() => {
      const now = progress(server, agent, handler);
      return now.handled >= before[index].handled + count && now.timed >= before[index].timed + count;
    }, `${agent}/${handler} to handle and time ${count} more events`, 30_000);
  }
}

async function summary(url: string): Promise<LatencySummary> {
  const response = await fetch(`${url}api/latency`);
  expect(response.status).toBe(200);
  return await response.json() as LatencySummary;
}

const statsOf = (s: LatencySummary, handler: string) => s.handlers.find((h) => h.handler === handler)!;

function expectOrdered(stats: LatencyStats): void {
  const { p50, p90, p99, p999, p9999, max } = stats;
  expect([p50, p90, p99, p999, p9999, max]).toEqual([p50, p90, p99, p999, p9999, max].toSorted((a, b) => a - b));
  expect(stats.unit).toBe("us");
}

/** The `Value Percentile TotalCount 1/(1-Percentile)` rows of an .hgrm text. */
function hgrmRows(text: string): { value: number; percentile: number; total: number }[] {
  return text.split("\n").map((line) => line.trim().split(/\s+/)).filter((f) => f.length === 4 && f.every((x) => /^[\d.]+$|^Infinity$/.test(x)))
    .map(([value, percentile, total]) => ({ value: Number(value), percentile: Number(percentile), total: Number(total) }));
}

describe("GET /api/latency", () => {
  for (const inline of [false, true]) {
    it(`counts every event with sampleEvery: 1, with ordered, plausible percentiles; a 2 ms handler shows service p50 ≥ 1 ms (${inline ? "inline" : "worker"} agents)`, async () => {
      await withServer(config({ sampleEvery: 1 }), async (server, url) => {
        await flow(server, 40);
        const answer = await summary(url);
        expect(answer.sampleEvery).toBe(1);
        expect(answer.handlers.map((h) => `${h.agent}/${h.handler}`).toSorted()).toEqual(["fast/fwd", "slow/busy"]);
        for (const handler of ["fwd", "busy"]) {
          const { latency, service } = statsOf(answer, handler);
          expect(latency.count).toBe(40);
          expect(service.count).toBe(40);
          expectOrdered(latency);
          expectOrdered(service);
          // Cross-thread publish→handle: positive and well under the time the test took.
          expect(latency.p50).toBeGreaterThan(0);
          expect(latency.max).toBeLessThan(30_000_000);
          expect(latency.sum).toBeGreaterThan(0);
        }
        const busy = statsOf(answer, "busy");
        expect(busy.service.p50).toBeGreaterThanOrEqual(1000);
        expect(busy.service.sum).toBeGreaterThanOrEqual(40 * 1000);
        expect(statsOf(answer, "fwd").service.p50).toBeLessThan(busy.service.p50);
        // Events queue behind the slow handler: its later events wait for the earlier ones.
        expect(busy.latency.max).toBeGreaterThan(busy.service.p50);
        expect(server.latency()).toEqual(answer);
      }, inline);
    });
  }

  it("times one event in sampleEvery (64 by default) per handler", async () => {
    await withServer({ ...config(), eventHandlers: [{ agentName: "fast", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }] }, async (server, url) => {
      const before = await summary(url);
      expect(before.sampleEvery).toBe(64);
      expect(statsOf(before, "fwd").latency.count).toBe(0);
      for (let i = 0; i < 64 * 5 + 63; i++) server.offer("in", i);
      await eventually(() => server.counter("handler_events_total", { handler: "fwd" }) === 64 * 5 + 63, "every event handled");
      const after = statsOf(await summary(url), "fwd");
      expect(after.latency.count).toBe(5);
      expect(after.service.count).toBe(5);
    });
  });

  it("serves each handler's distribution as HdrHistogram .hgrm text, in microseconds, per metric", async () => {
    await withServer(config({ sampleEvery: 1 }), async (server, url) => {
      await flow(server, 30);
      const response = await fetch(`${url}api/latency/busy.hgrm?metric=service`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toMatch(/^\s*Value\s+Percentile\s+TotalCount\s+1\/\(1-Percentile\)\s*$/m);
      expect(text).toContain("#[Mean");
      const rows = hgrmRows(text);
      expect(rows.length).toBeGreaterThan(3);
      expect(rows[rows.length - 1].total).toBe(30);
      expect(rows.map((r) => r.value)).toEqual(rows.map((r) => r.value).toSorted((a, b) => a - b));
      expect(rows.find((r) => r.percentile >= 0.5)!.value).toBeGreaterThanOrEqual(1000);
      // The default metric is publish→handle latency; the JSON and the text agree on the count.
      const latency = await (await fetch(`${url}api/latency/fwd.hgrm`)).text();
      expect(hgrmRows(latency).at(-1)!.total).toBe(statsOf(await summary(url), "fwd").latency.count);
      // Nothing flows any more: the embedding API gives the same text.
      expect(server.latencyDistribution("busy", { metric: "service" })).toBe(text);
    });
  });

  it("answers an unknown handler 404, a bad metric 400 and an ambiguous name 400, with JSON reasons; ?agent= picks", async () => {
    await withServer(config({ sampleEvery: 1 }), async (server, url) => {
      const cases: [string, number, string][] = [
        ["api/latency/nope.hgrm", 404, 'no handler "nope"'],
        ["api/latency/fwd.hgrm?metric=speed", 400, "metric must be one of latency, service"],
        ["api/latency/fwd.txt", 404, ".hgrm"],
      ];
      // A handler registered at runtime gets histograms of its own; its name is now on two agents.
      await server.addHandler({ agentName: "slow", name: "fwd", handler: "./forwarder.ts" });
      cases.push(["api/latency/fwd.hgrm", 400, "fast, slow"]);
      for (const [path, status, fragment] of cases) {
        const response = await fetch(`${url}${path}`);
        expect(response.status).toBe(status);
        expect((await response.json()).error).toContain(fragment);
      }
      await flow(server, 10, [...HANDLERS, ["slow", "fwd"]]);
      const picked = await fetch(`${url}api/latency/fwd.hgrm?agent=slow`);
      expect(picked.status).toBe(200);
      expect(hgrmRows(await picked.text()).at(-1)!.total).toBe(10);
      await server.removeHandler("slow/fwd");
      expect((await summary(url)).handlers.map((h) => `${h.agent}/${h.handler}`).toSorted()).toEqual(["fast/fwd", "slow/busy"]);
    });
  });

  it("starts a new interval on POST /api/commands/latency.reset, without stopping the recording", async () => {
    await withServer(config({ sampleEvery: 1 }), async (server, url) => {
      await flow(server, 20);
      expect(statsOf(await summary(url), "fwd").latency.count).toBe(20);
      const reset = await fetch(`${url}api/commands/latency.reset`, { method: "POST" });
      expect(reset.status).toBe(200);
      expect(await reset.json()).toEqual({ result: { reset: true } });
      const cleared = await summary(url);
      for (const handler of ["fwd", "busy"]) {
        expect(statsOf(cleared, handler).latency).toMatchObject({ count: 0, max: 0, sum: 0 });
        expect(statsOf(cleared, handler).service.count).toBe(0);
      }
      await flow(server, 7);
      expect(statsOf(await summary(url), "busy").service.count).toBe(7);
      expect(hgrmRows(await (await fetch(`${url}api/latency/busy.hgrm`)).text()).at(-1)!.total).toBe(7);
    });
  });

  it("answers 503 with a reason when recording is off, and latency.reset fails saying so", async () => {
    await withServer(config({ enabled: false }), async (server, url) => {
      for (const path of ["api/latency", "api/latency/fwd.hgrm"]) {
        const response = await fetch(`${url}${path}`);
        expect(response.status).toBe(503);
        expect((await response.json()).error).toContain("latency recording is off");
      }
      const reset = await fetch(`${url}api/commands/latency.reset`, { method: "POST" });
      expect(reset.status).toBe(500);
      expect((await reset.json()).error).toContain("latency recording is off");
      expect(server.latency()).toBeUndefined();
      expect(await latencyCollector(server)).toEqual([]);
    });
  });
});

describe("the latency collector (for /metrics)", () => {
  it("gives summaries of latency and service time in seconds per agent and handler, with quantiles, _sum and _count", async () => {
    await withServer(config({ sampleEvery: 1 }), async (server) => {
      await flow(server, 25);
      const families = await latencyCollector(server);
      expect(families.map((f) => [f.name, f.type])).toEqual([["mongoose_handler_latency_seconds", "summary"], ["mongoose_handler_service_seconds", "summary"]]);
      const json = server.latency()!;
      for (const family of families) {
        const metric = family.name === "mongoose_handler_latency_seconds" ? "latency" : "service";
        for (const handler of json.handlers) {
          const mine = family.samples.filter((s) => s.labels.agent === handler.agent && s.labels.handler === handler.handler);
          expect(mine.filter((s) => !s.suffix).map((s) => s.labels.quantile)).toEqual(["0.5", "0.9", "0.99", "0.999"]);
          expect(mine.find((s) => s.labels.quantile === "0.99")!.value).toBeCloseTo(handler[metric].p99 / 1e6, 9);
          expect(mine.find((s) => s.suffix === "_count")).toEqual({ labels: { agent: handler.agent, handler: handler.handler }, value: 25, suffix: "_count" });
          expect(mine.find((s) => s.suffix === "_sum")!.value).toBeCloseTo(handler[metric].sum / 1e6, 9);
        }
      }
      const busyService = families[1].samples.find((s) => s.labels.handler === "busy" && s.labels.quantile === "0.5")!;
      expect(busyService.value).toBeGreaterThanOrEqual(0.001);
    });
  });
});
