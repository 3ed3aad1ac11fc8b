import { describe, expect, it } from "bun:test";
import { runtime } from "../../src/runtime/mod.ts";
import { DROP_OLDEST } from "../../src/transport/full-ring-policy.ts";
import { createRingBuffer, readRingStats, RingProducer } from "../../src/transport/ring.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";

describe("dropOldest ring across threads", () => {
  it("every event is either delivered whole and in order or counted as discarded, never torn", async () => {
    const events = 200_000;
    const ring = createRingBuffer(2048, 1, DROP_OLDEST);
    const producer = new RingProducer(ring, new WakeSignal(new Int32Array(new SharedArrayBuffer(8)), 0));
    const checker = runtime.spawnWorker(new URL("../fixtures/ring-checker.ts", import.meta.url).href, "ring-checker");
    const result = new Promise<{ received: number; torn: number; outOfOrder: number; last: number }>((resolve) => checker.onMessage((m) => resolve(m as never)));
    checker.post({ ring });
    const neverWaits = { awaitSpace: () => { throw new Error("a dropOldest ring must not wait"); } };
    // Payloads of 1..997 bytes: in a 2 KiB ring, those over 512 - 24 travel as two or three fragments.
    const payload = new Uint8Array(997);
    let refused = 0;
    for (let sequence = 0; sequence < events; sequence++) {
      const length = (sequence % 997) + 1;
      for (let i = 0; i < length; i++) payload[i] = (sequence + i) & 255;
      if (!producer.write(1, sequence, 0, payload, length, neverWaits)) refused++;
      if (sequence % 8 === 7) producer.publish();
    }
    producer.close();
    const outcome = await result;
    checker.terminate();
    const stats = readRingStats(ring);
    expect(refused).toBe(0);
    expect(outcome.torn).toBe(0);
    expect(outcome.outOfOrder).toBe(0);
    expect(stats.droppedOldest).toBeGreaterThan(0);
    expect(outcome.received + stats.droppedOldest).toBe(events);
    expect(outcome.last).toBe(events - 1); // the newest event is never the one discarded
    expect(stats.consumedEvents).toBe(outcome.received);
    expect(stats.depth).toBe(0);
  });
});
