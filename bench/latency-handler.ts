/**
 * Benchmark handler: counts the measured events and records their one-way latency, from the event's
 * intended send time (`event.t`, so a stalled publisher's backlog is not hidden: coordinated omission)
 * to `onEvent` entry, on the server clock. Says "warm" on the sink "results" after the last warm-up
 * event, and reports once, from `stop()`.
 */
import * as hdr from "hdr-histogram-js";
import type { Clock, EventMeta, HandlerContext, Sink } from "../src/mod.ts";
import type { BenchEvent } from "./bench-event.ts";
import { newLatencyHistogram } from "./histogram.ts";

export default class LatencyRecorder {
  private clock!: Clock;
  private out!: Sink<unknown>;
  private readonly histogram = newLatencyHistogram();
  private warmupEvents = 0;
  private count = 0;
  private firstAt = 0;
  private lastAt = 0;

  start(ctx: HandlerContext) {
    this.clock = ctx.clock;
    this.out = ctx.sink("results");
    this.warmupEvents = ctx.config.warmupEvents as number;
  }

  onEvent(event: unknown, _meta: EventMeta) {
    const now = this.clock.nanos();
    const { id, t } = event as BenchEvent;
    if (id < this.warmupEvents) {
      if (id === this.warmupEvents - 1) this.out.accept("warm");
      return;
    }
    if (this.count++ === 0) this.firstAt = now;
    this.lastAt = now;
    this.histogram.recordValue(Math.max(1, Math.round(now - t)));
  }

  stop() {
    this.out.accept({ count: this.count, firstAt: this.firstAt, lastAt: this.lastAt, histogram: hdr.encodeIntoCompressedBase64(this.histogram) });
  }
}
