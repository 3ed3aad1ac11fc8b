import { describe, expect, it } from "bun:test";
import { runtime } from "../../src/runtime/mod.ts";
import { allocateCalibration, type ClockOffset, isPrecise, MAX_PRECISE_ROUND_TRIP_NANOS, measureClockOffset } from "../../src/time/clock-calibration.ts";
import { ServerClock } from "../../src/time/clock.ts";

const ANSWERER = new URL("../fixtures/clock-answerer.ts", import.meta.url).href;

/** Calibrates this thread's clock against a worker's that answers each ping after `delayMicros`. */
async function calibrateAgainst(delayMicros: number): Promise<ClockOffset> {
  const clock = new ServerClock(performance.timeOrigin);
  const buffer = allocateCalibration();
  const worker = runtime.spawnWorker(ANSWERER, "calibration");
  const done = new Promise((resolve) => worker.onMessage(resolve));
  worker.post({ buffer, epoch: clock.epochOriginMs, delayMicros });
  const measured = measureClockOffset(buffer, clock, 10_000);
  await done;
  worker.terminate();
  if (measured === undefined) throw new Error("the worker answered no ping");
  return measured;
}

describe("clock calibration", () => {
  it("measures a prompt worker's offset from its shortest round trip", async () => {
    const measured = await calibrateAgainst(0);
    expect(measured.roundTripNanos).toBeGreaterThan(0);
    expect(Number.isFinite(measured.offsetNanos)).toBe(true);
    // The offset itself is what is unknown: under load a Deno worker's time origin was seen microseconds
    // off, which is why the offset is measured at all, so it is not compared with an expected value here.
  });

  it("calls a measurement whose every round trip was slow imprecise, so the time-origin estimate is kept", async () => {
    const measured = await calibrateAgainst(100);
    expect(measured.roundTripNanos).toBeGreaterThanOrEqual(100_000);
    expect(isPrecise(measured)).toBe(false);
    expect(isPrecise({ offsetNanos: -300, roundTripNanos: MAX_PRECISE_ROUND_TRIP_NANOS })).toBe(true);
  });
});
