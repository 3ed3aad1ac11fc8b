/**
 * `type: interval`: a heartbeat `{count, time}` every `periodMs` (count from 1, time in epoch
 * milliseconds). It runs on its agent's duty cycle and tells the agent when the next beat is due, so a
 * parked agent wakes for it. If the agent falls behind (stalled longer than a period), the missed beats
 * are skipped, not sent in a burst: the count says how many beats were sent.
 *
 * @module
 */
import type { FeedContext, FeedPlugin } from "../plugin-api.ts";

/**
 * @example
 * ```ts
 * // eventFeeds: [{ name: "heartbeat", type: "interval", periodMs: 1000, broadcast: true }]
 * ```
 */
export class IntervalFeed implements FeedPlugin {
  private ctx!: FeedContext;
  private periodMs = 1000;
  private nextAt = 0;
  private count = 0;

  init(ctx: FeedContext): void {
    this.ctx = ctx;
    this.periodMs = ctx.config.periodMs as number;
  }

  start(): void {
    this.nextAt = performance.now() + this.periodMs;
  }

  doWork(): number {
    const now = performance.now();
    if (now < this.nextAt) return 0;
    if (!this.ctx.publish({ count: this.count + 1, time: Math.round(this.ctx.clock.epochMillis()) })) return 0;
    this.count++;
    this.nextAt += this.periodMs;
    if (this.nextAt <= now) this.nextAt = now + this.periodMs;
    return 1;
  }

  millisToNextDeadline(): number {
    return Math.max(0, this.nextAt - performance.now());
  }
}
