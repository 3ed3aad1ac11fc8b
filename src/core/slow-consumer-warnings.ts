/**
 * Slow-consumer warnings of one feed or pipe on its producing thread: when a subscriber's ring is full
 * (whatever its policy), one warning naming feed, subscribing agent (`subscriber`: `agent` stays the
 * logging agent's name), depth, capacity and policy, at most
 * one per ring per 5 s; the next one says how many full-ring events came in between (`suppressed`). A
 * disconnected subscriber is logged once, as an error.
 *
 * Runs only when a ring is full, never per event: the hot path does not know it exists.
 *
 * @module
 */
import type { Logger } from "../log/log.ts";
import { readRingStats, type RingProducer } from "../transport/ring.ts";
import type { FullRingListener } from "./event-outlet.ts";

const WINDOW_MS = 5_000;

interface Window {
  loggedAt: number;
  suppressed: number;
}

/**
 * @example
 * ```ts
 * outlet.watchFullRings(new SlowConsumerWarnings(log, `feed "prices"`));
 * // WARN slow consumer: ring of feed "prices" into agent "risk" is full {subscriber, depth, capacityBytes, onFull, suppressed}
 * ```
 */
export class SlowConsumerWarnings implements FullRingListener {
  private readonly windows = new Map<string, Window>();

  /** @param source what the ring carries, e.g. `feed "prices"` or `pipe "orders"` */
  constructor(private readonly log: Logger, private readonly source: string, private readonly windowMs = WINDOW_MS) {}

  full(agent: string, ring: RingProducer): void {
    const now = performance.now();
    const window = this.windows.get(agent);
    if (window && now - window.loggedAt < this.windowMs) {
      window.suppressed++;
      return;
    }
    const { depth, capacityBytes, onFull } = readRingStats(ring.buffer);
    const seconds = window ? ` in the last ${Math.round((now - window.loggedAt) / 1_000)} s` : "";
    this.log.warn(`slow consumer: ring of ${this.source} into agent "${agent}" is full (onFull: ${onFull})${window?.suppressed ? `, ${window.suppressed.toLocaleString("en-US")} more times${seconds}` : ""}`, {
      subscriber: agent,
      depth,
      capacityBytes,
      onFull,
      suppressed: window?.suppressed ?? 0,
    });
    this.windows.set(agent, { loggedAt: now, suppressed: 0 });
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
}
