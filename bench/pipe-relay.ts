/**
 * Benchmark handler: one link of a pipe chain. It subscribes to `configMap.from` (a feed or pipe) and
 * writes every event, unchanged, to the sink `configMap.to` (a pipe's `<name>.sink`). A fixed-layout
 * event arrives as a flyweight valid only during `onEvent`; `accept` encodes it at once, so that is safe.
 *
 * @example
 * ```ts
 * eventHandlers: { "relay-1": { handler: new URL("./pipe-relay.ts", import.meta.url).href, configMap: { from: "ticks", to: "hop-1.sink" } } }
 * ```
 */
import type { HandlerContext, Sink } from "../src/mod.ts";

export default class PipeRelay {
  private out!: Sink<unknown>;
  start(ctx: HandlerContext) {
    ctx.subscribe(ctx.config.from as string);
    this.out = ctx.sink(ctx.config.to as string);
  }
  onEvent(event: unknown) {
    this.out.accept(event);
  }
}
