import { describe, expect, it } from "bun:test";
import { BackoffIdleStrategy, createIdleStrategy, IDLE_STRATEGY_NAMES } from "../../src/agent/idle-strategy.ts";
import type { Parker } from "../../src/agent/parker.ts";

/** Records what a strategy asks for instead of waiting. */
function recordingParker() {
  const calls: string[] = [];
  const parker: Parker = {
    park: (ns) => void calls.push(`park ${ns}`),
    sleep: (ns) => void calls.push(`sleep ${ns}`),
    yield: () => void calls.push("yield"),
  };
  return { parker, calls };
}

function idleFor(strategy: { idle(work: number): void }, cycles: number): void {
  for (let i = 0; i < cycles; i++) strategy.idle(0);
}

describe("idle strategies", () => {
  it("busySpin and noOp never wait", () => {
    for (const type of ["busySpin", "noOp"] as const) {
      const { parker, calls } = recordingParker();
      const strategy = createIdleStrategy({ type }, parker);
      idleFor(strategy, 10_000);
      expect(strategy.name).toBe(type);
      expect(calls).toEqual([]);
    }
  });

  it("yielding yields on idle cycles only", () => {
    const { parker, calls } = recordingParker();
    const strategy = createIdleStrategy({ type: "yielding" }, parker);
    strategy.idle(5);
    strategy.idle(0);
    strategy.idle(0);
    expect(calls).toEqual(["yield", "yield"]);
  });

  it("sleeping sleeps its configured time, blocking parks", () => {
    const sleeping = recordingParker();
    createIdleStrategy({ type: "sleeping", sleepNanos: 250_000 }, sleeping.parker).idle(0);
    expect(sleeping.calls).toEqual(["sleep 250000"]);
    const blocking = recordingParker();
    const strategy = createIdleStrategy({ type: "blocking" }, blocking.parker);
    strategy.idle(1);
    strategy.idle(0);
    expect(blocking.calls).toEqual(["park Infinity"]);
  });

  it("backoff spins, then yields, then parks with a timeout that doubles up to its maximum, and resets on work", () => {
    const { parker, calls } = recordingParker();
    let nowMs = 0;
    let clockReads = 0;
    const strategy = new BackoffIdleStrategy(parker, { spinNanos: 200_000, yieldNanos: 300_000, minParkNanos: 1_000, maxParkNanos: 8_000 }, () => (clockReads++, nowMs));
    const idleAt = (ms: number) => {
      nowMs = ms;
      strategy.idle(0);
    };
    expect(strategy.spinning).toBe(false);
    idleAt(10); // idle since 10 ms
    expect(strategy.spinning).toBe(true);
    // While spinning it reads the clock once in 16 idle cycles: a spin is cheaper than a clock read.
    for (let cycle = 0; cycle < 15; cycle++) idleAt(10.1); // 100 µs: still spinning
    expect(clockReads).toBe(2);
    expect(calls).toEqual([]);
    for (let cycle = 0; cycle < 16 && calls.length === 0; cycle++) idleAt(10.3); // 300 µs: yielding, seen within 16 cycles
    expect(strategy.spinning).toBe(false);
    idleAt(10.45);
    expect(calls).toEqual(["yield", "yield"]);
    for (const ms of [10.6, 10.7, 10.8, 10.9, 11]) idleAt(ms); // past 500 µs: parking
    expect(calls.slice(2)).toEqual(["park 1000", "park 2000", "park 4000", "park 8000", "park 8000"]);
    calls.length = 0;
    strategy.idle(3); // work resets the backoff
    idleAt(12);
    idleAt(12.1);
    expect(calls).toEqual([]);
    expect(strategy.spinning).toBe(true);
  });

  it("builds every named strategy and applies defaults", () => {
    const { parker } = recordingParker();
    for (const type of IDLE_STRATEGY_NAMES) expect(createIdleStrategy({ type }, parker).name).toBe(type);
    const backoff = createIdleStrategy({ type: "backoff", maxParkNanos: 5 }, parker) as BackoffIdleStrategy;
    expect(backoff.options).toEqual({ spinNanos: 20_000, yieldNanos: 50_000, minParkNanos: 50_000, maxParkNanos: 5 });
  });
});
