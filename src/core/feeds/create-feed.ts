/**
 * Builds the feed a plan describes: a built-in type, a plugin module (`type: module`), or a feed a worker
 * service publishes (`type: service`).
 *
 * @module
 */
import type { FeedPlan } from "../../plan/types.ts";
import type { CounterBlock } from "../counters.ts";
import { importExport, instantiate, ModuleLoadError } from "../../modules/module-loader.ts";
import type { FeedPlugin } from "../plugin-api.ts";
import type { FeedChannel } from "./feed-channel.ts";
import type { FeedPublisher } from "./feed-publisher.ts";
import { FileFeed } from "./file-feed.ts";
import type { LockClaim } from "./pointer-lock.ts";
import { IntervalFeed } from "./interval-feed.ts";
import { MemoryFeed } from "./memory-feed.ts";
import { NatsFeed } from "./nats-feed.ts";
import type { BoundaryTracer } from "../tracing/boundary-tracer.ts";

/**
 * Creates the feed; module plugins are imported on the calling (hosting) thread. `pointerOwner`: who a
 * COMMITTED file feed claims its read pointer lock as (see {@link LockClaim}). `counters`: the block holding
 * the feed's own counters (a NATS feed's). `tracer`: given when `tracing:` is configured (a NATS feed then
 * reads each message's trace context).
 */
export async function createFeed(plan: FeedPlan, channel: FeedChannel, publisher: FeedPublisher, pointerOwner: Omit<LockClaim, "feed">, counters: CounterBlock, tracer?: () => Promise<BoundaryTracer>): Promise<FeedPlugin> {
  switch (plan.type) {
    case "memory":
      return new MemoryFeed(plan.name, channel, publisher);
    case "file":
      return new FileFeed(pointerOwner);
    case "interval":
      return new IntervalFeed();
    case "nats":
      return new NatsFeed(plan, counters, await tracer?.());
    case "service":
      // Passive: its worker service publishes through the channel (ServiceContext.publish).
      return {};
    case "module": {
      const plugin = await instantiate(await importExport(plan.module!));
      if (typeof plugin !== "object" || plugin === null) {
        throw new ModuleLoadError(plan.module!.display, "the export is not a feed: expected a class, a factory or an object (FeedPlugin)");
      }
      return plugin as FeedPlugin;
    }
    default:
      throw new Error(`no feed implementation for type "${plan.type}"`);
  }
}
