import type { HandlerContext, Sink } from "mongoose-server";

/**
 * Three uses of `ctx.scheduler`: a delayed action (a reminder 100 ms after start), a periodic job (a
 * report every 50 ms, which cancels itself after 5 runs) and a cancellation (a timeout that the
 * reminder cancels before it fires). Every line goes to the `log` sink.
 */
export default class Jobs {
  private out!: Sink<string>;

  start(ctx: HandlerContext) {
    this.out = ctx.sink("log");
    const { scheduler } = ctx;
    // Cancellation: this timeout would fire after 300 ms; the reminder cancels it first.
    const timeout = scheduler.after(300, () => this.out.accept("timeout fired (should not happen)"));
    // Delayed action.
    scheduler.after(100, () => {
      this.out.accept("reminder");
      this.out.accept(`timeout cancelled: ${scheduler.cancel(timeout)}`);
      // Set after the cancelled timeout's deadline: when this runs, the timeout would have fired already.
      scheduler.after(400, () => this.out.accept("done"));
    });
    // Periodic job, cancelled from inside its own callback.
    let runs = 0;
    const report = scheduler.every(50, () => {
      this.out.accept(`report ${++runs}`);
      if (runs === 5) scheduler.cancel(report);
    });
  }

  onEvent() {}
}
