/**
 * Soak benchmark publisher: an agent-hosted feed that sends consecutive numbers at `rate` events/s (paced
 * by a schedule, at most `batch` per duty cycle, so a late agent catches up in bursts) for `seconds`,
 * then completes. A full ring makes `publish` wait (backpressure); nothing is dropped by the feed.
 */
import type { FeedContext, FeedPlugin } from "../src/mod.ts";

export default class SoakFeed implements FeedPlugin {
  private ctx!: FeedContext;
  private perNano = 0;
  private total = 0;
  private batch = 256;
  private startedAt = 0;
  private sent = 0;
  private done = false;

  init(ctx: FeedContext): void {
    this.ctx = ctx;
    const config = ctx.config as { rate: number; seconds: number; batch?: number };
    this.perNano = config.rate / 1e9;
    this.total = Math.round(config.rate * config.seconds);
    this.batch = config.batch ?? 256;
  }

  startComplete(): void {
    this.startedAt = this.ctx.clock.nanos();
  }

  doWork(): number {
    if (this.done || this.startedAt === 0) return 0;
    const due = Math.min(this.total, Math.floor((this.ctx.clock.nanos() - this.startedAt) * this.perNano));
    let count = 0;
    while (this.sent < due && count < this.batch && this.ctx.publish(this.sent)) {
      this.sent++;
      count++;
    }
    if (this.sent >= this.total) {
      this.done = true;
      this.ctx.complete();
    }
    return count;
  }

  millisToNextDeadline(): number {
    return this.done ? Infinity : 0;
  }
}
