/**
 * What the server reports of its handlers' latency: per handler, percentiles of publish→handle latency
 * and of service time since the last reset, in microseconds; and the error for a distribution asked of a
 * handler that has none (or whose name alone does not say which agent's).
 *
 * @module
 */
import type { LatencyMetric } from "./latency-block.ts";

/** One histogram's summary, values in microseconds. `sum` is the total of the recorded values. */
export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  p9999: number;
  max: number;
  sum: number;
  unit: "us";
}

/** One handler's two histograms. */
export interface HandlerLatency {
  agent: string;
  handler: string;
  /** From the publisher's stamp to the start of `onEvent` on the handler's agent. */
  latency: LatencyStats;
  /** How long `onEvent` ran. */
  service: LatencyStats;
}

/**
 * Every handler's latency since the last reset (`GET /api/latency`).
 *
 * @example
 * ```ts
 * const summary: LatencySummary | undefined = server.latency();
 * summary?.handlers.find((h) => h.handler === "pnl")?.latency.p99; // µs
 * ```
 */
export interface LatencySummary {
  /** One event in this many per handler is timed. */
  sampleEvery: number;
  handlers: HandlerLatency[];
}

/** Which distribution to give: the metric (default `latency`) and, when a handler name is on several agents, the agent. */
export interface LatencyQuery {
  metric?: LatencyMetric;
  agent?: string;
}

/**
 * A distribution asked of a handler with no histograms (`unknown`), or named on several agents without
 * saying which (`ambiguous`).
 *
 * @example
 * ```ts
 * try {
 *   server.latencyDistribution("nope");
 * } catch (error) {
 *   if (error instanceof LatencyLookupError) console.log(error.kind, error.message); // "unknown", 'no handler "nope" …'
 * }
 * ```
 */
export class LatencyLookupError extends Error {
  override readonly name = "LatencyLookupError";
  constructor(readonly kind: "unknown" | "ambiguous", message: string) {
    super(message);
  }
}
