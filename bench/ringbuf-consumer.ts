/**
 * ringbuf.js benchmark, consumer worker: busy-spins on `pop()` into a buffer of up to
 * {@link BATCH_RECORDS} records (taking whatever is there, as the engine's consumer polls a batch), stamps
 * the batch's arrival once, checks every record and records the latency of measured events from their
 * intended send time: every one in a paced run, one in {@link MAX_RATE_SAMPLE_EVERY} back to back.
 */
import * as hdr from "hdr-histogram-js";
import { RingBuffer } from "ringbuf.js";
import { newLatencyHistogram } from "../src/bench/histogram.ts";
import { isPrecise, measureClockOffset } from "../src/time/clock-calibration.ts";
import { ServerClock } from "../src/time/clock.ts";
import { BATCH_RECORDS, checkRecord, type ConsumerReport, END_ID, RECORD_BYTES, RECORD_WORDS, recordId, type RunPlan, type WorkerCommand } from "./ringbuf-wire.ts";

/** Back-to-back runs record one latency in this many events, as src/bench/one-hop.ts does (a power of two). */
const MAX_RATE_SAMPLE_EVERY = 64;

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent<WorkerCommand>) => void): void;
};
let clock: ServerClock;

function consume(plan: RunPlan): ConsumerReport {
  const ring = new RingBuffer(plan.ring, Float64Array);
  const batch = new Float64Array(BATCH_RECORDS * RECORD_WORDS);
  const view = new DataView(batch.buffer);
  const histogram = newLatencyHistogram();
  const sampleMask = plan.rate === "max" ? MAX_RATE_SAMPLE_EVERY - 1 : 0;
  let expectedId = 0;
  let count = 0;
  let lastAt = 0;
  for (;;) {
    // Records are pushed whole, so pop() always returns a whole number of them.
    const bytes = ring.pop(batch) * 8;
    if (bytes === 0) continue;
    const now = clock.nanos();
    for (let offset = 0; offset < bytes; offset += RECORD_BYTES) {
      if (recordId(view, offset) === END_ID) return { count, lastAt, histogram: hdr.encodeIntoCompressedBase64(histogram) };
      const intended = checkRecord(view, offset, expectedId++);
      if (expectedId <= plan.warmupEvents) continue;
      if ((count++ & sampleMask) === 0) histogram.recordValue(Math.max(1, Math.round(now - intended)));
      lastAt = now;
    }
  }
}

scope.addEventListener("message", ({ data }) => {
  if ("calibrate" in data) {
    clock = new ServerClock(data.epochOriginMs);
    const measured = measureClockOffset(data.calibrate, clock, 30_000);
    if (measured === undefined) throw new Error("clock calibration with the producer timed out");
    // Read the producer's time, so latencies and the throughput span rest on this one calibration
    // (when it beats the time-origin estimate: on a busy machine its best round trip may not).
    if (isPrecise(measured)) clock.correct(-measured.offsetNanos);
    scope.postMessage("calibrated");
    return;
  }
  scope.postMessage(consume(data.run));
});
scope.postMessage("ready");
