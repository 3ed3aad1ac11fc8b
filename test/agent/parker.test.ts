import { describe, expect, it } from "bun:test";
import { AsyncParker, BlockingParker, type ParkContext } from "../../src/agent/parker.ts";
import { AgentSignals } from "../../src/agent/signals.ts";
import { runtime } from "../../src/runtime/mod.ts";

function context(overrides: Partial<ParkContext> = {}): ParkContext {
  return {
    signals: new AgentSignals(AgentSignals.allocate()),
    hasPendingInput: () => false,
    millisToNextDeadline: () => Infinity,
    maxParkMs: 60_000,
    ...overrides,
  };
}

function signalFromAnotherThread(signals: AgentSignals, afterMs: number) {
  const worker = runtime.spawnWorker(new URL("../fixtures/wake-signaller.ts", import.meta.url).href, "signaller");
  worker.post({ signals: signals.buffer, afterMs });
  return worker;
}

describe("parkers", () => {
  it("a blocking park ends at the agent's next deadline when nothing signals", () => {
    const parker = new BlockingParker(context({ millisToNextDeadline: () => 30 }));
    const before = performance.now();
    parker.park(Infinity); // would sleep up to maxParkMs (60 s) without the deadline
    expect(performance.now() - before).toBeLessThan(30_000);
  });

  it("a blocking park does not sleep when input is already pending", () => {
    const ctx = context({ hasPendingInput: () => true });
    new BlockingParker(ctx).park(Infinity);
    expect(Atomics.load(new Int32Array(ctx.signals.buffer), 0)).toBe(0); // the announced sleep was withdrawn
  });

  it("a producer's signal from another thread ends a blocking park", () => {
    const ctx = context();
    const worker = signalFromAnotherThread(ctx.signals, 50);
    const before = performance.now();
    new BlockingParker(ctx).park(Infinity);
    worker.terminate();
    expect(performance.now() - before).toBeLessThan(30_000);
  });

  it("an async park waits without blocking the event loop and ends on a producer's signal", async () => {
    const ctx = context();
    const parker = new AsyncParker(ctx);
    parker.park(Infinity);
    expect(parker.hasPending).toBe(true);
    let timerRan = false;
    setTimeout(() => (timerRan = true), 5);
    const worker = signalFromAnotherThread(ctx.signals, 50);
    await parker.settle();
    worker.terminate();
    expect(timerRan).toBe(true);
    expect(parker.hasPending).toBe(false);
  });
});
