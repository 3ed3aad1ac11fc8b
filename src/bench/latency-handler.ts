/**
 * The benchmark's receiver: records each measured tick's one-way latency, from its intended send time
 * to `onEvent` entry on the server clock, in an HdrHistogram; counts events and times the run. Unpaced
 * runs record every `sampleEvery`-th latency (a clock read alone costs more than the hop). On
 * {@link END} it reports everything, with both threads' heap growth, to the sink `results`.
 *
 * Config: `sampleEvery` (a power of two); `subscribe` (optional): feed or pipe names to subscribe to
 * instead of relying on broadcast; the report then waits for an END from each of them.
 *
 * @module
 */
import * as hdr from "hdr-histogram-js";
import type { Clock } from "../time/clock.ts";
import type { HandlerContext, Sink } from "../core/handler-api.ts";
import { type BenchTick, END, WARMUP_DONE } from "./bench-event.ts";
import { settledHeap } from "./heap.ts";
import { newLatencyHistogram } from "./histogram.ts";

/** What the receiver reports. */
export interface ReceiverReport {
  count: number;
  /** Intended send time of the first measured event and arrival of the last (server clock, ns). */
  firstSentAt: number;
  lastReceivedAt: number;
  /** Latencies in ns, `hdr.encodeIntoCompressedBase64`. */
  histogram: string;
  receiverHeapGrowth: number;
  /** With several sources, the sum of what each one's END carried (feeds sharing a thread each report that thread). */
  publisherHeapGrowth: number;
  heapCollected: boolean;
}

export default class LatencyRecorder {
  private clock!: Clock;
  private results!: Sink<ReceiverReport>;
  private readonly histogram = newLatencyHistogram();
  private sampleMask = 0;
  private count = 0;
  private firstSentAt = 0;
  private lastReceivedAt = 0;
  private heapAtStart = 0;
  private heapCollected = false;
  /** ENDs still to come: one per source feed. */
  private sourcesLeft = 1;
  private warmedUp = false;
  private publisherHeapGrowth = 0;

  start(ctx: HandlerContext): void {
    this.clock = ctx.clock;
    this.results = ctx.sink("results");
    this.sampleMask = (ctx.config.sampleEvery as number) - 1;
    const sources = ctx.config.subscribe as string[] | undefined;
    if (sources !== undefined) {
      for (const source of sources) ctx.subscribe(source);
      this.sourcesLeft = sources.length;
    }
  }

  onEvent(event: unknown): void {
    const tick = event as BenchTick;
    const id = tick.id;
    if (id < 0) return id === WARMUP_DONE ? this.settle() : this.sourceEnded(tick.px);
    if (tick.warmup) return;
    // A clock read costs more than a hop here: read it only for the events whose latency is recorded.
    if (++this.count === 1) this.firstSentAt = tick.t;
    if ((this.count & this.sampleMask) !== 0) return;
    const now = this.clock.nanos();
    this.histogram.recordValue(Math.max(1, Math.round(now - tick.t)));
  }

  private settle(): void {
    if (this.warmedUp) return; // several sources: the first one's warm-up end settles the heap
    this.warmedUp = true;
    const heap = settledHeap();
    this.heapAtStart = heap.bytes;
    this.heapCollected = heap.collected;
  }

  private sourceEnded(publisherHeapGrowth: number): void {
    this.publisherHeapGrowth += publisherHeapGrowth;
    if (--this.sourcesLeft === 0) this.report();
  }

  private report(): void {
    // END follows the last measured event at once: its arrival is the end of the run.
    this.lastReceivedAt = this.clock.nanos();
    this.results.accept({
      count: this.count,
      firstSentAt: this.firstSentAt,
      lastReceivedAt: this.lastReceivedAt,
      histogram: hdr.encodeIntoCompressedBase64(this.histogram),
      receiverHeapGrowth: settledHeap().bytes - this.heapAtStart,
      publisherHeapGrowth: this.publisherHeapGrowth,
      heapCollected: this.heapCollected,
    });
  }
}
