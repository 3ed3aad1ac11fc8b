import { describe, expect, it } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { counterFamilies } from "../../src/admin/metrics/counter-metrics.ts";
import type { MongooseConfig } from "../../src/mod.ts";
import { boot, eventually, freePort, tempDir } from "../helpers.ts";
import { promtoolCheck } from "./promtool.ts";
import { type Line, samples, scrape, value } from "./scrape.ts";

const config: MongooseConfig = {
  eventFeeds: [
    { name: "in", type: "memory", broadcast: true },
    { name: "lonely", type: "memory" }, // nobody subscribes: what is offered is unrouted
    { name: "shouted", type: "memory", broadcast: true, valueMapper: "./skip-mapper.ts" },
  ],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
  admin: { port: 0 },
  latency: { sampleEvery: 1 },
};

describe("GET /metrics", () => {
  it("counts exactly the events sent, from shared memory, in text promtool accepts without a warning", async () => {
    const server = await boot(config, { logLevel: "silent" });
    try {
      const url = server.adminUrl!;
      const sent = 40;
      for (let i = 1; i <= sent; i++) server.offer("in", i);
      let lines: Line[] = [];
      await eventually(async () => {
        lines = await scrape(url);
        return value(lines, "mongoose_sink_written_total", { sink: "out" }) === sent &&
          value(lines, "mongoose_handler_service_seconds_count", { agent: "a", handler: "fwd" }) === sent;
      }, "every event to reach the sink, each one timed", 30_000);
      expect(value(lines, "mongoose_feed_published_total", { feed: "in" })).toBe(sent);
      expect(value(lines, "mongoose_handler_events_total", { agent: "a", handler: "fwd" })).toBe(sent);
      expect(value(lines, "mongoose_handler_errors_total", { agent: "a", handler: "fwd" })).toBe(0);
      expect(value(lines, "mongoose_agent_duty_cycles_total", { agent: "a" })).toBeGreaterThan(0);
      expect(samples(lines, "mongoose_agent_idle_cycles_total", { agent: "a" })).toHaveLength(1);
      expect(samples(lines, "mongoose_dead_letter_total", { agent: "a" }).map((s) => s.labels.reason).sort()).toEqual(["bad-replay-record", "circuit-open", "encode-error", "handler-error", "held-at-stop", "mapper-error", "parse-error"]);

      const fwd = { agent: "a", handler: "fwd" };
      expect(value(lines, "mongoose_handler_latency_seconds_count", fwd)).toBe(sent);
      const quantiles = samples(lines, "mongoose_handler_latency_seconds", fwd);
      expect(quantiles.map((q) => q.labels.quantile)).toEqual(["0.5", "0.9", "0.99", "0.999"]);
      expect(quantiles.map((q) => q.value)).toEqual(quantiles.map((q) => q.value).sort((x, y) => x - y));
      expect(quantiles[0].value).toBeGreaterThan(0);
      expect(value(lines, "mongoose_handler_service_seconds_sum", fwd)).toBeGreaterThan(0);

      const ring = { feed: "in", agent: "a", producer: "supervisor" };
      expect(value(lines, "mongoose_queue_depth", ring)).toBe(0);
      expect(value(lines, "mongoose_queue_high_water_mark", ring)).toBeGreaterThanOrEqual(1);
      expect(value(lines, "mongoose_queue_high_water_mark", ring)).toBeLessThanOrEqual(sent);
      expect(value(lines, "mongoose_queue_capacity_bytes", ring)).toBe(256 * 1024);
      expect(value(lines, "mongoose_queue_full_stalls_total", ring)).toBe(0);
      expect(value(lines, "mongoose_consumer_batch_size_sum", ring)).toBe(sent);
      const polls = value(lines, "mongoose_consumer_batch_size_count", ring);
      expect(value(lines, "mongoose_consumer_batch_size_bucket", { ...ring, le: "+Inf" })).toBe(polls);
      const buckets = samples(lines, "mongoose_consumer_batch_size_bucket", ring).map((s) => s.value);
      expect(buckets).toEqual([...buckets].sort((x, y) => x - y)); // cumulative
      expect(value(lines, "mongoose_queue_depth", { sink: "out", agent: "supervisor", producer: "a" })).toBe(0);

      expect(samples(lines, "mongoose_agent_info", { agent: "a" })).toEqual([
        { name: "mongoose_agent_info", labels: { agent: "a", mode: "worker", idle_strategy: "backoff", core: "", state: "running" }, value: 1 },
      ]);
      expect(value(lines, "mongoose_agent_heartbeat_age_seconds", { agent: "a" })).toBeGreaterThanOrEqual(0);
      expect(value(lines, "mongoose_process_resident_memory_bytes")).toBeGreaterThan(value(lines, "mongoose_process_heap_used_bytes"));
      expect(value(lines, "mongoose_process_cpu_seconds_total", { mode: "user" })).toBeGreaterThan(0);
      // Each runtime's own figures, and only those.
      const onBun = "Bun" in globalThis;
      expect(samples(lines, "mongoose_bun_allocator_peak_bytes").map((s) => s.value > 0)).toEqual(onBun ? [true] : []);
      expect(samples(lines, "mongoose_process_array_buffers_bytes").map((s) => s.value >= 256 * 1024)).toEqual(onBun ? [true] : []); // a ring at least
      expect(samples(lines, "mongoose_v8_heap_size_limit_bytes").map((s) => s.value > 0)).toEqual(onBun ? [] : [true]);

      const response = await fetch(`${url}metrics`);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(promtoolCheck(await response.text())).toEqual({ code: 0, output: "" });
      const post = await fetch(`${url}metrics`, { method: "POST", body: "{}" });
      expect(post.status).toBe(405);
      expect((await post.json()).error).toContain("POST is not allowed on /metrics");
    } finally {
      await server.stop();
    }
  });

  it("gathers the feeds' drops under mongoose_events_dropped_total by reason", async () => {
    const server = await boot(config, { logLevel: "silent" });
    try {
      for (const value of [1, 2, 3]) server.offer("lonely", value);
      for (const line of ["skip", "keep", "skip"]) server.offer("shouted", line);
      let lines: Line[] = [];
      await eventually(async () => {
        lines = await scrape(server.adminUrl!);
        return value(lines, "mongoose_handler_events_total", { handler: "fwd" }) === 1;
      }, "the one kept line to be handled", 30_000);
      expect(value(lines, "mongoose_events_dropped_total", { feed: "lonely", reason: "unrouted" })).toBe(3);
      expect(value(lines, "mongoose_events_dropped_total", { feed: "shouted", reason: "mapper_dropped" })).toBe(2);
      expect(value(lines, "mongoose_events_dropped_total", { feed: "in", reason: "consumer_gone" })).toBe(0);
      expect(samples(lines, "mongoose_feed_unrouted_total")).toEqual([]); // gathered, not repeated
    } finally {
      await server.stop();
    }
  });

  it("needs the token only with protectReads", async () => {
    const token = "s3cret";
    for (const protectReads of [false, true]) {
      const server = await boot({ ...config, admin: { port: 0, token, protectReads } }, { logLevel: "silent" });
      try {
        const open = await fetch(`${server.adminUrl}metrics`);
        await open.body?.cancel();
        expect(open.status).toBe(protectReads ? 401 : 200);
        const authorized = await fetch(`${server.adminUrl}metrics`, { headers: { authorization: `Bearer ${token}` } });
        expect(authorized.status).toBe(200);
        expect(await authorized.text()).toContain("# TYPE mongoose_feed_published_total counter");
      } finally {
        await server.stop();
      }
    }
  });
});

describe("counter families", () => {
  it("sums blocks that repeat a label set, and types a counter not ending in _total as a gauge", () => {
    const labels = { agent: "a", handler: "late" };
    const families = counterFamilies([
      { name: "handler_events_total", help: "Events delivered to the handler.", labels, value: 3 },
      { name: "handler_events_total", help: "Events delivered to the handler.", labels: { handler: "late", agent: "a" }, value: 4 },
      { name: "fanout_circuit_open", help: "1 while the target's circuit breaker is open.", labels: { agent: "a", sink: "f", target: "t" }, value: 1 },
    ]);
    expect(families).toEqual([
      { name: "mongoose_handler_events_total", help: "Events delivered to the handler.", type: "counter", samples: [{ labels, value: 7 }] },
      { name: "mongoose_fanout_circuit_open", help: "1 while the target's circuit breaker is open.", type: "gauge", samples: [{ labels: { agent: "a", sink: "f", target: "t" }, value: 1 }] },
    ]);
  });
});

describe("a real Prometheus", () => {
  it("scrapes /metrics and answers a query with the events handled", async () => {
    const server = await boot(config, { logLevel: "silent" });
    const temp = tempDir("mongoose-prometheus-");
    let prometheus: ChildProcess | undefined;
    let log = "";
    try {
      const target = new URL(server.adminUrl!).host;
      writeFileSync(temp.path("prometheus.yml"), [
        "global: {scrape_interval: 1s, evaluation_interval: 1s}",
        "scrape_configs:",
        `  - {job_name: mongoose, static_configs: [{targets: ["${target}"]}]}`,
        "",
      ].join("\n"));
      const port = await freePort();
      prometheus = spawn("/usr/bin/prometheus", [
        `--config.file=${temp.path("prometheus.yml")}`,
        `--storage.tsdb.path=${temp.path("data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ], { stdio: ["ignore", "ignore", "pipe"] });
      prometheus.stderr!.on("data", (chunk) => (log = (log + chunk).slice(-4000)));
      const sent = 25;
      for (let i = 1; i <= sent; i++) server.offer("in", i);
      const query = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('mongoose_handler_events_total{handler="fwd"}')}`;
      let answer: { data?: { result: { metric: Record<string, string>; value: [number, string] }[] } } = {};
      await eventually(async () => {
        if (prometheus!.exitCode !== null) throw new Error(`prometheus exited with ${prometheus!.exitCode}: ${log}`);
        try {
          answer = await (await fetch(query)).json();
        } catch {
          return false; // not listening yet
        }
        return answer.data?.result[0]?.value[1] === String(sent);
      }, "Prometheus to scrape the events handled", 60_000);
      expect(answer.data!.result).toHaveLength(1);
      expect(answer.data!.result[0].metric).toMatchObject({ __name__: "mongoose_handler_events_total", job: "mongoose", agent: "a", handler: "fwd" });
    } finally {
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((resolve) => prometheus!.once("exit", resolve));
        prometheus.kill("SIGKILL");
        await exited;
      }
      await server.stop();
      temp.cleanup();
    }
  }, 90_000);
});
