/**
 * ringbuf.js benchmark, producer worker. Each duty cycle it encodes the events that are due (up to
 * {@link BATCH_RECORDS}; back to back, a full batch stamped with the cycle's clock reading) and pushes
 * them with one `push()`, as the engine's publisher flushes once per cycle; it busy-spins while the ring is
 * full. Warm-up events first, then it waits for the ring to drain, sends the measured ones and ends with
 * an {@link END_ID} record.
 */
import { RingBuffer } from "ringbuf.js";
import { serveClockCalibration } from "../src/time/clock-calibration.ts";
import { ServerClock } from "../src/time/clock.ts";
import { BATCH_RECORDS, encodeRecord, END_ID, type ProducerReport, RECORD_BYTES, RECORD_WORDS, type RunPlan, type WorkerCommand } from "./ringbuf-wire.ts";

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent<WorkerCommand>) => void): void;
};
let clock: ServerClock;

function produce(plan: RunPlan): ProducerReport {
  const ring = new RingBuffer(plan.ring, Float64Array);
  const batch = new Float64Array(BATCH_RECORDS * RECORD_WORDS);
  const view = new DataView(batch.buffer);
  const intervalNanos = plan.rate === "max" ? 0 : 1e9 / plan.rate;

  /** Pushes the first `records` of the batch. The ring's free space is whole records, so none is split. */
  const push = (records: number) => {
    const words = records * RECORD_WORDS;
    for (let done = 0; done < words;) done += ring.push(batch, words - done, done); // 0 while full: spin
  };

  /** Sends `count` events from `firstId` (fewer if `deadline` passes first); returns how many were sent. */
  const publish = (firstId: number, count: number, startAt: number, deadline: number): number => {
    let sent = 0;
    while (sent < count) {
      const now = clock.nanos();
      if (now >= deadline) break;
      let due = 0;
      for (; due < BATCH_RECORDS && sent + due < count; due++) {
        const intended = intervalNanos === 0 ? now : startAt + (sent + due) * intervalNanos;
        if (intended > now) break;
        encodeRecord(view, due * RECORD_BYTES, firstId + sent + due, intended);
      }
      push(due);
      sent += due;
    }
    return sent;
  };

  publish(0, plan.warmupEvents, clock.nanos(), Infinity);
  while (!ring.empty()) { /* let the consumer drain the warm-up */ }
  const startAt = clock.nanos();
  const sent = publish(plan.warmupEvents, plan.events, startAt, startAt + plan.maxSeconds * 1e9);
  encodeRecord(view, 0, END_ID, 0);
  push(1);
  return { startAt, sent };
}

scope.addEventListener("message", ({ data }) => {
  if ("calibrate" in data) {
    clock = new ServerClock(data.epochOriginMs);
    serveClockCalibration(data.calibrate, clock, 30_000);
    scope.postMessage("calibrated");
    return;
  }
  scope.postMessage(produce(data.run));
});
scope.postMessage("ready");
