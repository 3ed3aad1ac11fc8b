import type { HandlerContext, Sink } from "mongoose-server";

/** Writes `<greeting> #<beat>` for each heartbeat; `greeting` is required and can change while it runs. */
export default class Greeter {
  private greeting = "";
  private out!: Sink<string>;

  init(ctx: HandlerContext) {
    // Fails the boot, naming this handler and the key, if the configMap has no greeting.
    this.greeting = ctx.requireString("greeting");
  }

  start(ctx: HandlerContext) {
    this.out = ctx.sink("greetings");
  }

  onEvent(beat: { count: number }) {
    this.out.accept(`${this.greeting} #${beat.count}`);
  }

  /** A live update (SIGHUP reload, or `server.updateConfig`): runs between events on this handler's agent. */
  onConfigChange(config: Readonly<Record<string, unknown>>) {
    this.greeting = config.greeting as string;
  }
}
