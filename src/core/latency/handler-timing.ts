/**
 * Which of a handler's events are timed, and the timing itself. One event in `sampleEvery` is timed: its
 * publish→handle latency (the record's publish stamp, taken by the publisher with the server clock that
 * reads the same on every thread, against this agent's clock as `onEvent` begins) and its service time
 * (how long `onEvent` ran; for an async handler, until its promise was returned). The other events cost
 * a countdown decrement.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { LatencyBlock, LatencyRecorder } from "./latency-block.ts";

/**
 * @example
 * ```ts
 * const timing = HandlerTiming.of(block, "pnl", 64, clock);
 * if (timing.due()) {
 *   const started = timing.begin(meta.publishedNanos);
 *   handler.onEvent(event, meta);
 *   timing.end(started);
 * }
 * ```
 */
export class HandlerTiming {
  private countdown: number;

  constructor(
    private readonly sampleEvery: number,
    private readonly clock: Clock,
    private readonly latency: LatencyRecorder,
    private readonly service: LatencyRecorder,
  ) {
    this.countdown = sampleEvery;
  }

  /** The timing of `handler`, recording into its histograms in `block`. */
  static of(block: LatencyBlock, handler: string, sampleEvery: number, clock: Clock): HandlerTiming {
    return new HandlerTiming(sampleEvery, clock, block.recorder(handler, "latency"), block.recorder(handler, "service"));
  }

  /** True for the one event in `sampleEvery` to time (the `sampleEvery`-th, then every `sampleEvery`-th after it). */
  due(): boolean {
    if (--this.countdown !== 0) return false;
    this.countdown = this.sampleEvery;
    return true;
  }

  /** Records the latency of an event published at `publishedNanos`; returns the start of its service. */
  begin(publishedNanos: number): number {
    const now = this.clock.nanos();
    this.latency.record(now - publishedNanos);
    return now;
  }

  /** Records the service time of an event whose handling began at `started`. */
  end(started: number): void {
    this.service.record(this.clock.nanos() - started);
  }
}
