/**
 * The tracing-over-NATS benchmark, tiny: every mode stores one output per order, and exporting sends spans.
 * Counts only; the rates are for bench/nats-tracing-cost.ts runs (bench/results/tracing-overhead.md).
 */
import { describe, expect, test } from "bun:test";
import { natsTracingCost } from "../../bench/nats-tracing-cost.ts";

describe("NATS tracing cost benchmark (tiny)", () => {
  test("300 orders, 1 run: each mode stores every output, and the exporting mode's spans arrive", async () => {
    const report = await natsTracingCost({ messages: 300, runs: 1 });
    expect(Object.values(report.perSecond).map((rates) => rates.length)).toEqual([1, 1, 1]);
    expect(report.medianPerSecond.off).toBeGreaterThan(0);
    expect(report.propagateRatio).toBe(report.medianPerSecond.propagate / report.medianPerSecond.off);
    expect(report.spansReceived).toBeGreaterThan(0);
  }, 300_000);
});
