/**
 * Slow-consumer warnings of one feed or pipe on its producing thread: when a subscriber's ring is found
 * full (whatever its policy), one warning naming feed, subscribing agent (`subscriber`: `agent` stays
 * the logging agent's name), depth, capacity and policy, at most one per ring per 5 s. The times the
 * ring was found full during that window are summed up in one more line when the window ends, e.g.
 * `slow consumer: ring of feed "in" into agent "risk" was full 1,234 more times in the last 5 s`, as
 * handler errors are (see error-reporter.ts). A disconnected subscriber is logged once, as an error.
 *
 * Runs only when a ring is full, never per event: the hot path does not know it exists. The summary
 * timer is armed by a window's first held-back warning and does not hold the process open.
 *
 * @module
 */
import type { Logger } from "../log/log.ts";
import { readRingStats, type RingProducer } from "../transport/ring.ts";
import type { FullRingListener } from "./event-outlet.ts";
import { unrefTimer } from "./keep-alive.ts";

const WINDOW_MS = 5_000;

interface Window {
  startedAt: number;
  suppressed: number;
  ring: RingProducer;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * @example
 * ```ts
 * outlet.watchFullRings(new SlowConsumerWarnings(log, `feed "prices"`));
 * // WARN slow consumer: ring of feed "prices" into agent "risk" is full (onFull: dropNewest) subscriber=risk depth=… capacityBytes=… onFull=… suppressed=0
 * ```
 */
export class SlowConsumerWarnings implements FullRingListener {
  private readonly windows = new Map<string, Window>();

  /** @param source what the ring carries, e.g. `feed "prices"` or `pipe "orders"` */
  constructor(private readonly log: Logger, private readonly source: string, private readonly windowMs = WINDOW_MS) {}

  full(agent: string, ring: RingProducer): void {
    const now = performance.now();
    const window = this.windows.get(agent);
    if (window && now - window.startedAt < this.windowMs) {
      window.suppressed++;
      if (window.timer === undefined) {
        window.timer = setTimeout(() => this.windows.get(agent) === window && this.end(agent, window), window.startedAt + this.windowMs - now);
        unrefTimer(window.timer);
      }
      return;
    }
    if (window) this.end(agent, window);
    this.warn(`is full (onFull: ${readRingStats(ring.buffer).onFull})`, agent, ring, 0);
    this.windows.set(agent, { startedAt: now, suppressed: 0, ring });
  }

  disconnected(agent: string, ring: RingProducer): void {
    const { depth, capacityBytes } = readRingStats(ring.buffer);
    this.log.error(`slow consumer disconnected: ${this.source} stops writing to agent "${agent}" (its ring was full, onFull: disconnect); its later events are dropped for it`, {
      subscriber: agent,
      depth,
      capacityBytes,
      onFull: "disconnect",
    });
  }

  /** Ends a window: the times the ring was found full meanwhile, in one line (none if there were none). */
  private end(agent: string, window: Window): void {
    clearTimeout(window.timer);
    this.windows.delete(agent);
    if (window.suppressed === 0) return;
    const seconds = Math.min(this.windowMs, performance.now() - window.startedAt) / 1_000;
    const onFull = readRingStats(window.ring.buffer).onFull;
    this.warn(`was full ${window.suppressed.toLocaleString("en-US")} more times in the last ${Number(seconds.toFixed(1))} s (onFull: ${onFull})`, agent, window.ring, window.suppressed);
  }

  private warn(what: string, agent: string, ring: RingProducer, suppressed: number): void {
    const { depth, capacityBytes, onFull } = readRingStats(ring.buffer);
    this.log.warn(`slow consumer: ring of ${this.source} into agent "${agent}" ${what}`, { subscriber: agent, depth, capacityBytes, onFull, suppressed });
  }
}
