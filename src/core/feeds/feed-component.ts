/**
 * The interface every feed implements, built-in or plugin. A feed publishes through the
 * {@link FeedPublisher} its hosting agent gives it; when the feed stops, the host closes that publisher
 * so subscribers drain what was published and then see the feed end.
 *
 * @module
 */
import type { FeedPublisher } from "./feed-publisher.ts";

/**
 * A feed as its hosting agent sees it. Lifecycle methods are optional and run on the hosting agent.
 *
 * @example
 * ```ts
 * class Ticker implements FeedComponent {
 *   constructor(readonly name: string, readonly publisher: FeedPublisher) {}
 *   startComplete() { this.timer = setInterval(() => { this.publisher.publish(Date.now()); this.publisher.flush(); }, 1000); }
 *   stop() { clearInterval(this.timer); }
 * }
 * ```
 */
export interface FeedComponent {
  readonly name: string;
  readonly publisher: FeedPublisher;
  init?(): void | Promise<void>;
  start?(): void | Promise<void>;
  startComplete?(): void | Promise<void>;
  stop?(): void | Promise<void>;
  tearDown?(): void | Promise<void>;
}
