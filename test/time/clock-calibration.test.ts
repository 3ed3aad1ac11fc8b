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
  it("measures another thread's offset within half its best round trip (both clocks share one epoch)", async () => {
    const measured = await calibrateAgainst(0);
    expect(measured.roundTripNanos).toBeGreaterThan(0);
    // The time origins agree to ~1 µs; the measurement errs by at most half its round trip.
    expect(Math.abs(measured.offsetNanos)).toBeLessThanOrEqual(measured.roundTripNanos / 2 + 5_000);
  });

  it("calls a measurement whose every round trip was slow imprecise, so the time-origin estimate is kept", async () => {
    const measured = await calibrateAgainst(100);
    expect(measured.roundTripNanos).toBeGreaterThanOrEqual(100_000);
    expect(isPrecise(measured)).toBe(false);
    expect(isPrecise({ offsetNanos: -300, roundTripNanos: MAX_PRECISE_ROUND_TRIP_NANOS })).toBe(true);
  });
});
