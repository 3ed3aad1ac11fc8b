/**
 * The benchmark's receiver: records each measured tick's one-way latency, from its intended send time
 * to `onEvent` entry on the server clock, in an HdrHistogram; counts events and times the run. Unpaced
 * runs record every `sampleEvery`-th latency (a clock read alone costs more than the hop). On
 * {@link END} it reports everything, with both threads' heap growth and CPU time, to the sink `results`.
 * It also counts the events of each whole second (closed on the sampled events, which read the clock
 * anyway) and the threads' CPU time against the wall time: a run slowed by a thread losing its core
 * shows as CPU time short of wall time, one slowed by slower cross-core traffic as full CPU and fewer
 * events per second.
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
import { threadCpuSeconds } from "../core/host/thread-cpu.ts";

/** What the receiver reports. */
export interface ReceiverReport {
  count: number;
  /** Events received in each whole second of the measured run, from the first measured event's send time. */
  perSecond: number[];
  /** CPU time of the receiving thread and of the publishing threads (summed) over the measured run; undefined where the system does not say. */
  receiverCpuSeconds: number | undefined;
  publisherCpuSeconds: number | undefined;
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
  private readonly perSecond: number[] = [];
  /** Start of the second being counted (server clock ns) and the count when it began. */
  private secondStart = 0;
  private countAtSecondStart = 0;
  private cpuAtStart: number | undefined;
  /** ENDs still to come: one per source feed. */
  private sourcesLeft = 1;
  private warmedUp = false;
  private publisherHeapGrowth = 0;
  /** The publishers' CPU seconds, summed over the sources; -1 once one of them could not say. */
  private publisherCpuSeconds = 0;

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
    if (id < 0) return id === WARMUP_DONE ? this.settle() : this.sourceEnded(tick.px, tick.t);
    if (tick.warmup) return;
    // A clock read costs more than a hop here: read it only for the events whose latency is recorded.
    if (++this.count === 1) this.begin(tick.t);
    if ((this.count & this.sampleMask) !== 0) return;
    const now = this.clock.nanos();
    this.histogram.recordValue(Math.max(1, Math.round(now - tick.t)));
    if (now - this.secondStart >= 1e9) this.countSeconds(now);
  }

  private begin(firstSentAt: number): void {
    this.firstSentAt = this.secondStart = firstSentAt;
    this.cpuAtStart = threadCpuSeconds();
  }

  /** Closes the seconds that have passed by `now` (checked on sampled events: their clock read is paid already). */
  private countSeconds(now: number): void {
    // Counted up to this event, so a second's count may take up to sampleEvery - 1 events from the next.
    this.perSecond.push(this.count - this.countAtSecondStart);
    this.countAtSecondStart = this.count;
    this.secondStart += 1e9;
    while (now - this.secondStart >= 1e9) {
      this.perSecond.push(0);
      this.secondStart += 1e9;
    }
  }

  private settle(): void {
    if (this.warmedUp) return; // several sources: the first one's warm-up end settles the heap
    this.warmedUp = true;
    const heap = settledHeap();
    this.heapAtStart = heap.bytes;
    this.heapCollected = heap.collected;
  }

  private sourceEnded(publisherHeapGrowth: number, publisherCpuSeconds: number): void {
    this.publisherHeapGrowth += publisherHeapGrowth;
    this.publisherCpuSeconds = publisherCpuSeconds < 0 || this.publisherCpuSeconds < 0 ? -1 : this.publisherCpuSeconds + publisherCpuSeconds;
    if (--this.sourcesLeft === 0) this.report();
  }

  private report(): void {
    // END follows the last measured event at once: its arrival is the end of the run.
    this.lastReceivedAt = this.clock.nanos();
    const cpu = threadCpuSeconds();
    this.results.accept({
      count: this.count,
      perSecond: this.perSecond,
      receiverCpuSeconds: cpu === undefined || this.cpuAtStart === undefined ? undefined : cpu - this.cpuAtStart,
      publisherCpuSeconds: this.publisherCpuSeconds < 0 ? undefined : this.publisherCpuSeconds,
      firstSentAt: this.firstSentAt,
      lastReceivedAt: this.lastReceivedAt,
      histogram: hdr.encodeIntoCompressedBase64(this.histogram),
      receiverHeapGrowth: settledHeap().bytes - this.heapAtStart,
      publisherHeapGrowth: this.publisherHeapGrowth,
      heapCollected: this.heapCollected,
    });
  }
}
