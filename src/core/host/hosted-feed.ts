/**
 * One feed whose publishing side lives on this agent: its plugin, channel, publisher and lifecycle, and
 * its share of the duty cycle. A feed produces from `start` (when it caches events offered early) or
 * `startComplete`, until `stop`; a feed nobody subscribes to stays idle.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import type { FeedPlan } from "../../plan/types.ts";
import type { FeedChannel } from "../feeds/feed-channel.ts";
import type { FeedPublisher } from "../feeds/feed-publisher.ts";
import type { FeedPlugin } from "../plugin-api.ts";
import type { RingProducer } from "../../transport/ring.ts";
import type { FeedStatusEntry } from "../protocol.ts";
import { ComponentLifecycle } from "./component-lifecycle.ts";
import type { ComponentErrors } from "./component-errors.ts";

/**
 * @example
 * ```ts
 * const feed = new HostedFeed(plan, plugin, channel, publisher, log, errors);
 * await feed.lifecycle.run("init");
 * feed.runDutyCycle(); // work done by the plugin this cycle
 * ```
 */
export class HostedFeed {
  readonly lifecycle: ComponentLifecycle;
  /** Its duty cycle runs: from start (caching) or startComplete, until stop, while anyone subscribes. */
  private producing = false;
  /** Between startComplete and stop: a subscriber arriving then (a handler added at runtime) sets it producing. */
  private live = false;
  /**
   * Paused by runtime tuning: its `doWork` is not called (its `pausedWork` is, if it has one), so it reads
   * and publishes nothing (a file keeps its position); what it published before is still delivered.
   */
  paused = false;

  constructor(
    readonly plan: FeedPlan,
    readonly plugin: FeedPlugin,
    readonly channel: FeedChannel,
    readonly publisher: FeedPublisher,
    private readonly log: Logger,
    private readonly errors: ComponentErrors,
  ) {
    this.lifecycle = new ComponentLifecycle("feed", plan.name, async (phase) => {
      try {
        await this.runPhase(phase);
      } catch (thrown) {
        // A step that claimed and then threw must not leave the claim open: it would jam the feed.
        channel.abandonClaim();
        throw thrown;
      }
    });
  }

  get name(): string {
    return this.plan.name;
  }

  /** Publishes into the ring of a newly subscribed agent from now on; a live feed idle for want of subscribers starts producing. */
  addSubscriber(ring: RingProducer, agent: string): void {
    this.publisher.addSubscriber(ring, agent);
    if (this.live) this.producing = true;
  }

  /** Closes the ring of an agent whose handlers no longer receive the feed; with none left the feed idles again. */
  removeSubscriber(agent: string): void {
    this.publisher.removeSubscriber(agent);
    if (this.live && this.publisher.subscriberCount === 0) this.producing = false;
  }

  /** Runs the plugin's `doWork` if it is producing, then publishes what the cycle produced; returns the work done. */
  runDutyCycle(): number {
    let work = 0;
    const step = this.paused ? this.plugin.pausedWork : this.plugin.doWork;
    if (this.producing && step) {
      try {
        work = step.call(this.plugin);
      } catch (thrown) {
        this.channel.abandonClaim();
        this.errors.report("feed", this.plan.name, "doWork", thrown);
      }
    }
    this.publisher.flush();
    return work;
  }

  /** Milliseconds until the plugin next has work by the clock (Infinity when it is not producing). */
  millisToNextDeadline(): number {
    const working = this.producing && (!this.paused || this.plugin.pausedWork !== undefined);
    return working && this.plugin.millisToNextDeadline ? this.plugin.millisToNextDeadline() : Infinity;
  }

  status(agent: string): FeedStatusEntry {
    return {
      feed: this.plan.name,
      agent,
      ...(this.plugin.status?.() ?? { connected: true }),
      completed: this.channel.completed,
      subscribers: this.publisher.subscriberCount,
    };
  }

  private async runPhase(phase: "init" | "start" | "startComplete" | "stop" | "tearDown"): Promise<void> {
    const { plugin, channel, publisher, plan } = this;
    switch (phase) {
      case "init":
        return await plugin.init?.(channel);
      case "start":
        await plugin.start?.(channel);
        this.producing = plan.cache.enabled;
        return;
      case "startComplete":
        channel.goLive();
        this.live = true;
        // Every subscriber is connected by now. Reading a source nobody receives would consume it
        // (a COMMITTED file would move its pointer past lines no handler saw), so it stays idle.
        this.producing = publisher.subscriberCount > 0;
        if (!this.producing) this.log.warn("no handler subscribes to this feed: it stays idle and what is offered to it reaches no one", { feed: plan.name });
        return await plugin.startComplete?.();
      case "stop":
        this.producing = false;
        this.live = false;
        try {
          return await plugin.stop?.();
        } finally {
          publisher.close();
        }
      case "tearDown":
        return await plugin.tearDown?.();
    }
  }
}
