/**
 * The five-minute example's handler: it subscribes to the feeds named in `configMap.acceptedFeedNames`
 * (feeds are named, not broadcast, so the others never reach it) and forwards every line it receives to
 * the sink `forwarded`, tagged with the name of its feed.
 */
import type { EventMeta, Handler, HandlerContext, Sink } from "mongoose-server";

export default class FeedFilter implements Handler {
  private out!: Sink<string>;

  start(ctx: HandlerContext): void {
    const accepted = ctx.config.acceptedFeedNames;
    if (!Array.isArray(accepted) || accepted.length === 0) throw new Error("configMap.acceptedFeedNames must list at least one feed name");
    for (const feed of accepted) ctx.subscribe(String(feed));
    this.out = ctx.sink("forwarded");
    ctx.log.info("forwarding", { feeds: accepted.join(",") });
  }

  onEvent(line: unknown, meta: EventMeta): void {
    this.out.accept(`${meta.feed}: ${line}`);
  }
}
