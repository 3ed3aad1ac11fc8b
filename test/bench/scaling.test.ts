/**
 * The scaling benchmark, tiny: a feed fanned out to two agents, several feeds into one agent and a chain
 * of pipes across agents each deliver every measured event to every receiver. Counts only; the rates are
 * for bench/scaling.ts runs (bench/results/scaling.md).
 */
import { describe, expect, test } from "bun:test";
import { runPoint, SCALING_POINTS } from "../../bench/scaling.ts";

const point = (scenario: string, label: string) => SCALING_POINTS.find((p) => p.scenario === scenario && p.label === label)!;
const options = { seconds: 60, warmupSeconds: 0.05, rate: "max" as const, events: 5_000 };

describe("scaling benchmark (tiny)", () => {
  test("one feed to 2 agents: each receiver counts every event", async () => {
    expect((await runPoint(point("agents", "2 agents"), options)).counts).toEqual([5_000, 5_000]);
  }, 300_000);

  test("4 feeds into one agent: the receiver counts every feed's events", async () => {
    expect((await runPoint(point("feeds", "4 feeds"), options)).counts).toEqual([20_000]);
  }, 300_000);

  test("2 pipes in a chain across agents: every event reaches the end", async () => {
    expect((await runPoint(point("chain", "2 pipes"), options)).counts).toEqual([5_000]);
  }, 300_000);
});
