/**
 * Times a set of handler variants on one thread: every round feeds each variant the same event `events`
 * times, variants alternating within a round so drift and noise fall on all of them alike; the result is
 * each variant's median nanoseconds per event over the rounds.
 *
 * @example
 * ```ts
 * const nsPerEvent = deliveryRounds(new Map([["off", plain], ["on", timed]]), 5_000_000, 5);
 * console.log(nsPerEvent); // { off: 9.8, on: 14.1 }
 * ```
 *
 * @module
 */
import type { EventMeta } from "../src/core/handler-api.ts";
import type { HostedHandler } from "../src/core/host/hosted-handler.ts";
import { median } from "./child-runs.ts";

/** Median ns per event of each handler variant, alternating variants within each of `rounds` rounds. */
export function deliveryRounds(handlers: ReadonlyMap<string, HostedHandler>, events: number, rounds: number, meta: EventMeta): Record<string, number> {
  const samples = new Map<string, number[]>([...handlers.keys()].map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, handler] of handlers) {
      const started = performance.now();
      for (let i = 0; i < events; i++) handler.deliver(i, meta);
      samples.get(name)!.push(((performance.now() - started) * 1e6) / events);
    }
  }
  return Object.fromEntries([...samples].map(([name, ns]) => [name, Number(median(ns).toFixed(1))]));
}
