/**
 * Each ring's statistics from `server.topology().rings`, read from the rings' headers in shared memory
 * without asking either end: depth, the consumer's high-water mark, bytes used and capacity, full-ring
 * stalls, and the histogram of events its consumer took per poll.
 *
 * A ring is labelled by what it carries (`feed` or `sink` = its name), `agent` (the consuming agent,
 * whose queue it is) and `producer` (the agent writing to it).
 *
 * @module
 */
import type { RingInfo } from "../../core/supervisor/ring-registry.ts";
import { BATCH_SIZE_BOUNDS } from "../../transport/ring.ts";
import type { MetricCollector, MetricFamily, MetricSample } from "./metric-family.ts";

const ringLabels = (ring: RingInfo): Record<string, string> => ({ [ring.kind]: ring.name, agent: ring.consumer, producer: ring.producer });

/** A family with one sample per ring. */
function perRing(rings: readonly RingInfo[], name: string, type: "counter" | "gauge", help: string, value: (ring: RingInfo) => number): MetricFamily {
  return { name, help, type, samples: rings.map((ring) => ({ labels: ringLabels(ring), value: value(ring) })) };
}

/** Events the ring's producer did not deliver, one sample per ring and reason (see `onFull`). */
function droppedSamples(ring: RingInfo): MetricSample[] {
  const labels = ringLabels(ring);
  return [
    { labels: { ...labels, reason: "dropNewest" }, value: ring.droppedNewest },
    { labels: { ...labels, reason: "dropOldest" }, value: ring.droppedOldest },
    { labels: { ...labels, reason: "disconnected" }, value: ring.droppedDisconnected },
  ];
}

/** A ring's poll batch sizes as cumulative Prometheus buckets, then `_sum` (events taken) and `_count` (polls). */
function batchSizeSamples(ring: RingInfo): MetricSample[] {
  const labels = ringLabels(ring);
  const samples: MetricSample[] = [];
  let cumulative = 0;
  ring.batchSizes.forEach((polls, bucket) => {
    cumulative += polls;
    const le = bucket < BATCH_SIZE_BOUNDS.length ? String(BATCH_SIZE_BOUNDS[bucket]) : "+Inf";
    samples.push({ labels: { ...labels, le }, value: cumulative, suffix: "_bucket" });
  });
  samples.push({ labels, value: ring.consumedEvents, suffix: "_sum" }, { labels, value: cumulative, suffix: "_count" });
  return samples;
}

/**
 * The queue families of `rings`.
 *
 * @example
 * ```ts
 * queueFamilies(server.topology().rings).map((family) => family.name); // ["mongoose_queue_depth", …]
 * ```
 */
export function queueFamilies(rings: readonly RingInfo[]): MetricFamily[] {
  return [
    perRing(rings, "mongoose_queue_depth", "gauge", "Events published to the ring and not yet taken by its consuming agent.", (r) => r.depth),
    perRing(rings, "mongoose_queue_high_water_mark", "gauge", "Deepest backlog (events) the consuming agent found in the ring when it polled.", (r) => r.highWaterMark),
    perRing(rings, "mongoose_queue_used_bytes", "gauge", "Bytes of the ring holding events not yet consumed.", (r) => r.usedBytes),
    perRing(rings, "mongoose_queue_capacity_bytes", "gauge", "Data capacity of the ring in bytes.", (r) => r.capacityBytes),
    perRing(rings, "mongoose_queue_full_stalls_total", "counter", "Times the producer found the ring full and waited for space.", (r) => r.stalls),
    perRing(rings, "mongoose_queue_stall_seconds_total", "counter", "Time the producer spent waiting for space in the full ring.", (r) => r.stallNanos / 1e9),
    {
      name: "mongoose_queue_dropped_total",
      help: "Events dropped for the ring's consuming agent by the ring's onFull policy, by reason (dropNewest, dropOldest, disconnected).",
      type: "counter",
      samples: rings.flatMap(droppedSamples),
    },
    perRing(rings, "mongoose_queue_disconnected", "gauge", "1 when the producer disconnected the consuming agent (onFull: disconnect), else 0.", (r) => r.disconnected ? 1 : 0),
    {
      name: "mongoose_consumer_batch_size",
      help: "Events the consuming agent took from the ring per non-empty poll (at most the agent's batchSize).",
      type: "histogram",
      samples: rings.flatMap(batchSizeSamples),
    },
  ];
}

/**
 * @example
 * ```ts
 * const families = await queueMetrics(server); // ring headers only, no agent is asked
 * ```
 */
export const queueMetrics: MetricCollector = (server) => queueFamilies(server.topology().rings);
