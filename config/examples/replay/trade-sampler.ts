import type { HandlerContext, Sink } from "mongoose-server";

interface Trade {
  id: string;
  qty: number;
}

/**
 * Counts trades and their volume; picks some for audit with ctx.random(), confirms each audit from a
 * timer, and writes a volume snapshot from a periodic timer. It reads time only through ctx.clock and
 * draws only from ctx.random(), so a replay of its journal writes exactly what it wrote live.
 */
export default class TradeSampler {
  private ctx!: HandlerContext;
  private out!: Sink<unknown>;
  private count = 0;
  private volume = 0;
  private snapshotted = 0;

  start(ctx: HandlerContext) {
    this.ctx = ctx;
    this.out = ctx.sink("out");
    ctx.subscribe("trades");
    ctx.scheduler.every(ctx.requireNumber("snapshotMs"), () => {
      // Only snapshots that changed: an idle feed writes nothing, so the output has an end.
      if (this.count === this.snapshotted) return;
      this.snapshotted = this.count;
      this.out.accept({ snapshot: this.count, volume: this.volume, at: this.now() });
    });
  }

  onEvent(trade: Trade) {
    this.count++;
    this.volume += trade.qty;
    const audit = this.ctx.random() < this.ctx.requireNumber("auditRate");
    this.out.accept({ trade: trade.id, at: this.now(), audit });
    if (audit) this.ctx.scheduler.after(this.ctx.requireNumber("auditDelayMs"), () => this.out.accept({ audited: trade.id, at: this.now() }));
  }

  stop() {
    this.out.accept({ final: { trades: this.count, volume: this.volume } });
  }

  private now(): string {
    return new Date(this.ctx.clock.epochMillis()).toISOString();
  }
}
