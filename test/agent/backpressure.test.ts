import { describe, expect, it } from "bun:test";
import { BackpressureTimeoutError, CallerRunsBackpressure } from "../../src/agent/backpressure.ts";
import { createRingBuffer, RingProducer } from "../../src/transport/ring.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";

describe("caller-runs backpressure", () => {
  it("runs local work while waiting, and still gives up after its timeout even if that work never runs dry", () => {
    let cycles = 0;
    const busyNeighbour = { runOnce: () => ++cycles };
    const backpressure = new CallerRunsBackpressure(() => [busyNeighbour], 50);
    const producer = new RingProducer(createRingBuffer(1024, 1), new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0));
    const payload = new Uint8Array(200);
    expect(() => {
      for (let i = 0; i < 100; i++) producer.write(1, i, 0, payload, payload.length, backpressure);
    }).toThrow(BackpressureTimeoutError);
    expect(cycles).toBeGreaterThan(0);
  });
});
