/**
 * The NATS pipeline benchmark, tiny: both sides (the engine and the plain @nats-io loop) must store one
 * output per order. Counts only; the rates are for bench/nats-pipeline.ts runs (bench/results/nats-pipeline.md).
 */
import { describe, expect, test } from "bun:test";
import { natsPipeline } from "../../bench/nats-pipeline.ts";

describe("NATS pipeline benchmark (tiny)", () => {
  test("500 orders, 2 runs: each side stores exactly 500 outputs per run, and the report has medians and their ratio", async () => {
    const report = await natsPipeline({ messages: 500, runs: 2, maxAckPending: 64 });
    expect(report.messages).toBe(500);
    expect(report.plain.map((run) => run.outputs)).toEqual([500, 500]);
    expect(report.engine.map((run) => run.outputs)).toEqual([500, 500]);
    expect(report.engineMedianPerSecond).toBeGreaterThan(0);
    expect(report.ratio).toBe(report.engineMedianPerSecond / report.plainMedianPerSecond);
  }, 300_000);
});
