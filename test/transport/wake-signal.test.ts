import { describe, expect, it } from "bun:test";
import { runtime } from "../../src/runtime/mod.ts";
import { createRingBuffer, readRingStats, RingProducer } from "../../src/transport/ring.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";
import { seededRandom } from "../helpers.ts";

describe("wake signal", () => {
  it("loses no wakeup: millions of events through a consumer that sleeps whenever its ring is empty", async () => {
    const events = 2_000_000;
    const ring = createRingBuffer(16 * 1024, 1);
    const wake = new SharedArrayBuffer(64);
    const producer = new RingProducer(ring, new WakeSignal(new Int32Array(wake), 0));
    const consumer = runtime.spawnWorker(new URL("../fixtures/wakeup-consumer.ts", import.meta.url).href, "wakeup-consumer");
    const result = new Promise<{ received: number; checksum: number; sleeps: number; timeouts: number }>((resolve) => consumer.onMessage((m) => resolve(m as never)));
    consumer.post({ ring, wake, guardMs: 2_000, expected: events });

    const random = seededRandom(42);
    const payload = new Uint8Array(2);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const spinOnFull = { awaitSpace: () => {} };
    let checksum = 0;
    let sent = 0;
    while (sent < events) {
      // A burst of 1..64 events published one by one, then wait until the consumer has taken all of it.
      // The consumer falls asleep the moment its ring looks empty, often just as the burst's last event
      // is published; if that wakeup were lost, the consumer would sleep with the event pending until its
      // guard timeout (the producer waits, publishing nothing), and the timeout would be counted.
      const burst = Math.min(events - sent, 1 + Math.floor(random() * 64));
      for (let i = 0; i < burst; i++, sent++) {
        payload[0] = sent & 0xff;
        payload[1] = (sent >> 8) & 0xff;
        checksum = (checksum + payload[0] * 31 + payload[1]) % 1_000_000_007;
        producer.write(1, sent, 0, payload, 2, spinOnFull);
        producer.publish();
      }
      while (readRingStats(ring).consumedEvents < sent) { /* wait for the consumer to drain the burst */ }
      if (random() < 0.3) Atomics.wait(pause, 0, 0, random() * 0.03);
    }
    const outcome = await result;
    consumer.terminate();
    expect(outcome.received).toBe(events);
    expect(outcome.checksum).toBe(checksum);
    expect(outcome.timeouts).toBe(0);
    expect(outcome.sleeps).toBeGreaterThan(10_000); // the consumer really slept, often
  });
});
