import { describe, expect, it } from "bun:test";
import { Counter } from "../../../src/core/counters.ts";
import { type FanoutSettings, FanoutSink, type FanoutTarget } from "../../../src/core/sinks/fanout-sink.ts";
import type { MongooseConfig } from "../../../src/mod.ts";
import { boot } from "../../helpers.ts";

const meta = { feed: "writer", sequenceNumber: 1, publishedAt: 0, publishedNanos: 0 };

function target(name: string, failures: (attempt: number) => boolean) {
  const values = new Float64Array(4);
  const got: unknown[] = [];
  let attempts = 0;
  const fanoutTarget: FanoutTarget = {
    name,
    deliver: (value) => {
      if (failures(++attempts)) throw new Error(`${name} failed`);
      got.push(value);
    },
    delivered: new Counter(values, 0),
    failures: new Counter(values, 1),
    skipped: new Counter(values, 2),
    circuitOpen: new Counter(values, 3),
  };
  return { fanoutTarget, got, stats: () => ({ delivered: values[0], failures: values[1], skipped: values[2], open: values[3] }) };
}

function fanout(settings: Partial<FanoutSettings>, targets: FanoutTarget[], now = () => 0) {
  const reports: string[] = [];
  const sink = new FanoutSink(targets, { failurePolicy: "CONTINUE", retryAttempts: 3, circuitOpenThreshold: 0, circuitOpenMillis: 1000, ...settings }, (name) => void reports.push(name), now);
  return { sink, reports };
}

describe("fan-out sink", () => {
  it("CONTINUE: a failing target is reported and skipped; the others get every value", () => {
    const good = target("good", () => false);
    const bad = target("bad", () => true);
    const { sink, reports } = fanout({ failurePolicy: "CONTINUE" }, [bad.fanoutTarget, good.fanoutTarget]);
    sink.accept(1, meta);
    sink.accept(2, meta);
    expect(good.got).toEqual([1, 2]);
    expect(reports).toEqual(["bad", "bad"]);
    expect(bad.stats()).toMatchObject({ delivered: 0, failures: 2 });
  });

  it("FAIL_FAST: the first failure propagates and later targets do not get that value", () => {
    const bad = target("bad", () => true);
    const later = target("later", () => false);
    const { sink } = fanout({ failurePolicy: "FAIL_FAST" }, [bad.fanoutTarget, later.fanoutTarget]);
    expect(() => sink.accept(1, meta)).toThrow("bad failed");
    expect(later.got).toEqual([]);
  });

  it("RETRY_THEN_DROP: retries a failing target, then drops the value for it", () => {
    const flaky = target("flaky", (attempt) => attempt <= 2);
    const dead = target("dead", () => true);
    const { sink, reports } = fanout({ failurePolicy: "RETRY_THEN_DROP", retryAttempts: 2 }, [flaky.fanoutTarget, dead.fanoutTarget]);
    sink.accept("v", meta);
    expect(flaky.got).toEqual(["v"]);
    expect(flaky.stats()).toMatchObject({ delivered: 1, failures: 2 });
    expect(dead.stats()).toMatchObject({ delivered: 0, failures: 3 });
    expect(reports).toEqual(["dead"]);
  });

  it("opens a target's circuit after consecutive failures, skips it while open, and closes it after a success", () => {
    let now = 0;
    let failing = true;
    const flaky = target("flaky", () => failing);
    const { sink } = fanout({ circuitOpenThreshold: 2, circuitOpenMillis: 100 }, [flaky.fanoutTarget], () => now);
    sink.accept(1, meta);
    sink.accept(2, meta);
    expect(flaky.stats()).toMatchObject({ failures: 2, open: 1 });
    sink.accept(3, meta);
    expect(flaky.stats()).toMatchObject({ failures: 2, skipped: 1 });
    now = 150; // half-open: one value is tried
    sink.accept(4, meta);
    expect(flaky.stats()).toMatchObject({ failures: 3, open: 1 });
    now = 300;
    failing = false;
    sink.accept(5, meta);
    expect(flaky.stats()).toMatchObject({ delivered: 1, open: 0 });
    expect(flaky.got).toEqual([5]);
  });

  it("runs in a server with its targets on its agent, delivering and counting per target", async () => {
    const config: MongooseConfig = {
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [
        { name: "both", type: "fanout", targets: ["copy", "picky"], failurePolicy: "CONTINUE", circuitOpenThreshold: 2, circuitOpenMillis: 60_000 },
        { name: "copy", type: "memory" },
        { name: "picky", type: "module", module: "./picky-sink.ts" },
      ],
      eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts", configMap: { sink: "both" } } } }],
    };
    const server = await boot(config, { logLevel: "silent" });
    try {
      for (const value of ["ok-1", "bad-1", "bad-2", "ok-2"]) server.offer("in", value);
      await server.sink("copy").waitFor(4);
    } finally {
      await server.stop();
    }
    expect(server.sink("copy").values()).toEqual(["ok-1", "bad-1", "bad-2", "ok-2"]);
    expect(server.counter("fanout_delivered_total", { target: "copy" })).toBe(4);
    expect(server.counter("fanout_delivered_total", { target: "picky" })).toBe(1);
    expect(server.counter("fanout_failures_total", { target: "picky" })).toBe(2);
    expect(server.counter("fanout_skipped_total", { target: "picky" })).toBe(1);
    expect(server.counter("fanout_circuit_open", { target: "picky" })).toBe(1);
  });
});
