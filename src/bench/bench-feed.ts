/**
 * The benchmark's publisher: an agent-hosted feed that sends ticks on its agent's duty cycle, paced by
 * a schedule (`rate` events/s) or back to back (`rate: 0`), first a warm-up, then a pause marked by a
 * {@link WARMUP_DONE} event (both sides settle their heaps), then the measured events, then {@link END}
 * carrying this thread's heap growth and CPU time. Struct ticks are claimed and written in place in the ring.
 *
 * Config: `rate` (0 = max), `warmupNanos`, `events` (measured count; 0 = for `measureNanos`),
 * `measureNanos`, `batch` (most events per duty cycle), `struct` (fixed layout or plain objects),
 * `batchClaim` (struct only: each duty cycle's ticks are claimed and published as one batch).
 *
 * @module
 */
import type { FeedContext, FeedPlugin } from "../core/plugin-api.ts";
import { type BenchTick, END, fillTick, WARMUP_DONE } from "./bench-event.ts";
import { settledHeap } from "./heap.ts";
import { threadCpuSeconds } from "../core/host/thread-cpu.ts";

/** Quiet time after the warm-up, for both sides to collect garbage before measuring. */
const PAUSE_NANOS = 200e6;

type Phase = "warmup" | "pause" | "measure" | "done";

export default class BenchFeed implements FeedPlugin {
  private ctx!: FeedContext;
  private struct = true;
  private intervalNanos = 0;
  private warmupNanos = 0;
  private events = 0;
  private measureNanos = 0;
  private batch = 256;
  /** Fixed-layout ticks go out as claimed batches (`ctx.claimBatch`), not one claim each. */
  private batchClaim = false;
  private phase: Phase = "warmup";
  private phaseStart = 0;
  private sent = 0;
  private heapAtStart = 0;
  private cpuAtMeasureStart: number | undefined;
  private readonly plain = {} as BenchTick;

  init(ctx: FeedContext): void {
    this.ctx = ctx;
    const config = ctx.config as Record<string, number | boolean>;
    this.struct = config.struct as boolean;
    this.intervalNanos = (config.rate as number) > 0 ? 1e9 / (config.rate as number) : 0;
    this.warmupNanos = config.warmupNanos as number;
    this.events = config.events as number;
    this.measureNanos = config.measureNanos as number;
    this.batch = config.batch as number;
    this.batchClaim = config.batchClaim === true;
  }

  startComplete(): void {
    this.phaseStart = this.ctx.clock.nanos();
  }

  doWork(): number {
    const now = this.ctx.clock.nanos();
    switch (this.phase) {
      case "warmup":
        if (now - this.phaseStart < this.warmupNanos) return this.publishDue(now, true);
        this.send(WARMUP_DONE, now, true);
        this.heapAtStart = settledHeap().bytes;
        return this.enter("pause", now);
      case "pause":
        if (now - this.phaseStart < PAUSE_NANOS) return 0;
        this.cpuAtMeasureStart = threadCpuSeconds();
        return this.enter("measure", this.ctx.clock.nanos());
      case "measure":
        if (this.events > 0 ? this.sent < this.events : now - this.phaseStart < this.measureNanos) return this.publishDue(now, false);
        this.send(END, this.cpuSinceMeasureStart(), false, settledHeap().bytes - this.heapAtStart);
        this.ctx.complete();
        return this.enter("done", now);
      case "done":
        return 0;
    }
  }

  millisToNextDeadline(): number {
    return this.phase === "done" ? Infinity : 0;
  }

  /** This thread's CPU seconds since the measured part began; -1 where the system does not say. */
  private cpuSinceMeasureStart(): number {
    const cpu = threadCpuSeconds();
    return cpu === undefined || this.cpuAtMeasureStart === undefined ? -1 : cpu - this.cpuAtMeasureStart;
  }

  private enter(phase: Phase, now: number): number {
    this.phase = phase;
    this.phaseStart = now;
    this.sent = 0;
    return 1;
  }

  /** Publishes the events whose time has come (all of a batch at once when unpaced); returns how many. */
  private publishDue(now: number, warmup: boolean): number {
    const limit = this.events > 0 && !warmup ? Math.min(this.batch, this.events - this.sent) : this.batch;
    let count = 0;
    if (this.batchClaim) {
      const due = this.intervalNanos === 0 ? limit : Math.min(limit, Math.floor((now - this.phaseStart) / this.intervalNanos) + 1 - this.sent);
      return due > 0 ? this.publishBatch(due, now, warmup) : 0;
    }
    if (this.intervalNanos === 0) {
      for (; count < limit; count++) this.send(this.sent++, now, warmup);
      return count;
    }
    for (; count < limit; count++) {
      const intended = this.phaseStart + this.sent * this.intervalNanos;
      if (intended > now) break;
      this.send(this.sent++, intended, warmup);
    }
    return count;
  }

  /** Publishes `count` events due by the schedule (or now, unpaced) as one claimed batch; returns how many went. */
  private publishBatch(count: number, now: number, warmup: boolean): number {
    const batch = this.ctx.claimBatch(count);
    const n = batch.length;
    for (let i = 0; i < n; i++) {
      const id = this.sent + i;
      fillTick(batch.at(i) as unknown as BenchTick, id, this.intervalNanos === 0 ? now : this.phaseStart + id * this.intervalNanos, warmup);
    }
    this.sent += n;
    return batch.publish();
  }

  private send(id: number, t: number, warmup: boolean, px?: number): void {
    const tick = this.struct ? this.ctx.claim() as unknown as BenchTick : this.plain;
    fillTick(tick, id, t, warmup);
    if (px !== undefined) tick.px = px;
    this.ctx.publish(tick);
  }
}
