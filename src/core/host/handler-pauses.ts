/**
 * Handlers paused by runtime tuning (`handler.pause`), and what their events become meanwhile:
 *
 * - `hold`: the agent stops consuming the rings of every feed the handler receives, through the same gate
 *   a handler's retry uses (see {@link FeedDelivery.holdBack}). Nothing is lost: the rings fill and the
 *   feed's `onFull` applies upstream. Other handlers on this agent that receive one of those feeds share
 *   its ring, so they wait too.
 * - `drop`: its events are delivered to nobody and counted (`handler_paused_dropped_total`); the rings
 *   keep flowing for the agent's other handlers.
 *
 * Timers, admin commands and config updates of a paused handler still run: only event delivery pauses.
 * When the server stops, held handlers are resumed so the drain delivers what they held.
 *
 * @module
 */
import type { HandlerPausePolicy } from "../../plan/tuning.ts";
import type { FeedDelivery } from "./feed-delivery.ts";
import type { HostedHandler } from "./hosted-handler.ts";

/**
 * @example
 * ```ts
 * const pauses = new HandlerPauses((feed) => deliveryOf(feed));
 * pauses.pause(handler, "hold");
 * pauses.resume(handler); // its rings are consumed again
 * ```
 */
export class HandlerPauses {
  /** The deliveries each handler paused with `hold` holds back. */
  private readonly held = new Map<HostedHandler, FeedDelivery[]>();

  constructor(
    /** The delivery of a feed on this agent, if the agent receives it. */
    private readonly deliveryOf: (feed: string) => FeedDelivery | undefined,
  ) {}

  /** Pauses `handler` under `policy` (a paused handler switches policy). */
  pause(handler: HostedHandler, policy: HandlerPausePolicy): void {
    this.resume(handler);
    if (policy === "drop") {
      handler.dropping = true;
      return;
    }
    const deliveries = [...handler.subscriptions].map(this.deliveryOf).filter((delivery) => delivery !== undefined);
    for (const delivery of deliveries) delivery.holdBack(true);
    this.held.set(handler, deliveries);
  }

  /** The agent stops: every held handler receives what its rings hold, so the drain can finish (nothing is lost). */
  releaseHolds(): void {
    for (const handler of [...this.held.keys()]) this.resume(handler);
  }

  /** Delivers to `handler` again; held rings are consumed from where they stopped. */
  resume(handler: HostedHandler): void {
    handler.dropping = false;
    for (const delivery of this.held.get(handler) ?? []) delivery.holdBack(false);
    this.held.delete(handler);
  }
}
