/**
 * Every latency histogram block the supervisor reads: one per agent for the handlers of its plan, laid
 * out at its boot, and one per handler registered at runtime. A reset keeps a copy of every histogram as
 * its baseline and later reads subtract it, so "the current interval" starts without the agents being
 * told or paused.
 *
 * @module
 */
import { allocateLatencyBlock, type HistogramCounts, LATENCY_METRICS, LatencyBlock, type LatencyMetric } from "../latency/latency-block.ts";
import { latencyStats, percentileText } from "../latency/latency-histograms.ts";
import { LatencyLookupError, type LatencyQuery, type LatencySummary } from "../latency/latency-report.ts";

interface HandlerHistograms {
  agent: string;
  handler: string;
  block: LatencyBlock;
  baseline: Map<LatencyMetric, HistogramCounts>;
}

const keyOf = (agent: string, handler: string) => JSON.stringify([agent, handler]);

/**
 * @example
 * ```ts
 * const blocks = new LatencyBlocks(64);
 * const buffer = blocks.addAgent("processor", ["pnl"]); // travels in the agent's boot
 * blocks.summary().handlers[0].latency.p99;
 * blocks.reset();
 * ```
 */
export class LatencyBlocks {
  private readonly handlers = new Map<string, HandlerHistograms>();

  constructor(readonly sampleEvery: number) {}

  /** Allocates the block of an agent's planned handlers. */
  addAgent(agent: string, handlers: readonly string[]): SharedArrayBuffer {
    const block = new LatencyBlock(allocateLatencyBlock(handlers.length), handlers);
    for (const handler of handlers) this.track(agent, handler, block);
    return block.buffer;
  }

  /** Allocates the block of a handler registered at runtime. */
  allocate(agent: string, handler: string): SharedArrayBuffer {
    const block = new LatencyBlock(allocateLatencyBlock(1), [handler]);
    this.track(agent, handler, block);
    return block.buffer;
  }

  /** A handler was removed: its histograms are no longer reported. */
  remove(agent: string, handler: string): void {
    this.handlers.delete(keyOf(agent, handler));
  }

  /** Forgets an agent's handlers. */
  removeAgent(agent: string): void {
    for (const [key, entry] of this.handlers) if (entry.agent === agent) this.handlers.delete(key);
  }

  /** Starts a new interval: what was recorded so far is left out of later reads. */
  reset(): void {
    for (const entry of this.handlers.values()) {
      for (const metric of LATENCY_METRICS) entry.baseline.set(metric, entry.block.read(entry.handler, metric));
    }
  }

  /** Every handler's percentiles over the current interval. */
  summary(): LatencySummary {
    return {
      sampleEvery: this.sampleEvery,
      handlers: [...this.handlers.values()].map((entry) => ({
        agent: entry.agent,
        handler: entry.handler,
        latency: latencyStats(this.interval(entry, "latency")),
        service: latencyStats(this.interval(entry, "service")),
      })),
    };
  }

  /** The `.hgrm` text of one handler's histogram over the current interval. */
  distribution(handler: string, { metric = "latency", agent }: LatencyQuery = {}): string {
    const matches = [...this.handlers.values()].filter((entry) => entry.handler === handler && (agent === undefined || entry.agent === agent));
    if (matches.length === 0) {
      const known = [...this.handlers.values()].map((entry) => `${entry.agent}/${entry.handler}`).join(", ") || "none";
      throw new LatencyLookupError("unknown", `no handler "${handler}"${agent === undefined ? "" : ` on agent "${agent}"`} (handlers: ${known})`);
    }
    if (matches.length > 1) {
      throw new LatencyLookupError("ambiguous", `handler "${handler}" runs on agents ${matches.map((m) => m.agent).join(", ")}: say which (agent)`);
    }
    return percentileText(this.interval(matches[0], metric));
  }

  private track(agent: string, handler: string, block: LatencyBlock): void {
    this.handlers.set(keyOf(agent, handler), { agent, handler, block, baseline: new Map() });
  }

  /** The histogram as it is now, less its baseline. */
  private interval(entry: HandlerHistograms, metric: LatencyMetric): HistogramCounts {
    const now = entry.block.read(entry.handler, metric);
    const baseline = entry.baseline.get(metric);
    if (!baseline) return now;
    const buckets = now.buckets;
    for (let slot = 0; slot < buckets.length; slot++) buckets[slot] -= baseline.buckets[slot];
    return { sumNanos: now.sumNanos - baseline.sumNanos, buckets };
  }
}
