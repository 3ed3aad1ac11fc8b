/**
 * The soak benchmark, short: a few seconds of load over several feeds and agents must end with every
 * event published handled once per handler agent. Counts only; the rates and memory it reports are for
 * bench/soak.ts runs (bench/results/soak.md), not for tests on a shared machine.
 */
import { describe, expect, test } from "bun:test";
import { soak } from "../../bench/soak.ts";

describe("soak benchmark (short)", () => {
  test("2 feeds on their own agents × 2 handler agents: count out = count in × 2, no drops", async () => {
    const report = await soak({ rate: 30_000, seconds: 2, feeds: 2, handlers: 2, everySeconds: 1, idle: "backoff" });
    expect(report.eventsIn).toBe(60_000);
    expect(report.eventsOut).toBe(120_000);
    expect(report.drops).toEqual({ consumer_gone: 0, unrouted: 0, mapper_dropped: 0 });
    expect(report.countsAgree).toBe(true);
    expect(report.samples.length).toBeGreaterThan(0);
  }, 400_000);

  test("dropNewest on 1 KiB rings: what a policy drops is counted, and out = in × 2 − drops", async () => {
    const report = await soak({ rate: 30_000, seconds: 2, feeds: 2, handlers: 2, everySeconds: 1, idle: "sleeping", onFull: "dropNewest", ringCapacity: 1024 });
    expect(report.eventsIn).toBe(60_000);
    expect(report.drops.dropOldest + report.drops.disconnected).toBe(0);
    expect(report.eventsOut + report.drops.dropNewest).toBe(120_000);
    expect(report.countsAgree).toBe(true);
  }, 400_000);
});
