/**
 * Baseline receiver: the same events as the ring benchmark, delivered by postMessage (structured clone),
 * counted and timed the same way (warm-up events first, then the measured ones).
 */
import * as hdr from "hdr-histogram-js";
import { ServerClock } from "../src/runtime/clock.ts";
import type { BenchEvent } from "./bench-event.ts";
import { newLatencyHistogram } from "./histogram.ts";

type Command = { init: { epoch: number; warmupEvents: number } } | { done: true } | BenchEvent;

const scope = globalThis as unknown as { postMessage(message: unknown): void; addEventListener(type: "message", listener: (event: MessageEvent<Command>) => void): void };
let clock: ServerClock;
let warmupEvents = 0;
const histogram = newLatencyHistogram();
let count = 0;
let firstAt = 0;
let lastAt = 0;

scope.addEventListener("message", (message) => {
  const data = message.data;
  if ("init" in data) {
    clock = new ServerClock(data.init.epoch);
    warmupEvents = data.init.warmupEvents;
    scope.postMessage("ready");
    return;
  }
  if ("done" in data) {
    scope.postMessage({ count, firstAt, lastAt, histogram: hdr.encodeIntoCompressedBase64(histogram) });
    return;
  }
  const now = clock.nanos();
  if (data.id < warmupEvents) {
    if (data.id === warmupEvents - 1) scope.postMessage("warm");
    return;
  }
  if (count++ === 0) firstAt = now;
  lastAt = now;
  histogram.recordValue(Math.max(1, Math.round(now - data.t)));
});
