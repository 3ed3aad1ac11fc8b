/**
 * Which planned feeds keep a read pointer: `type: file` with `readStrategy: COMMITTED` (or its original
 * spelling `COMMITED`). The agents track end-to-end commits only on servers that have one, and the stop
 * report names those whose pointer was not saved.
 *
 * @module
 */
import type { FeedPlan } from "./types.ts";

/**
 * @example
 * ```ts
 * keepsReadPointer({ type: "file", settings: { readStrategy: "COMMITTED" } } as FeedPlan); // true
 * ```
 */
export function keepsReadPointer(feed: FeedPlan): boolean {
  const strategy = feed.settings.readStrategy;
  return feed.type === "file" && (strategy === "COMMITTED" || strategy === "COMMITED");
}
