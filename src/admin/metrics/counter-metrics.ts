/**
 * Every shared-memory counter of `server.counters()` as a Prometheus family named `mongoose_<name>`
 * (HELP from the counter's spec), with the counter's own labels (its agent and component). Blocks that
 * repeat a label set (a handler removed and registered again gets a new block) are summed into one series.
 *
 * The feeds' and pipes' drop counters are gathered into one family, `mongoose_events_dropped_total`,
 * under a `reason`, where `agent` is the agent that counted the drop (the feed's host, or the agent
 * writing to the pipe).
 *
 * @module
 */
import type { CounterSample } from "../../core/counters.ts";
import type { MetricCollector, MetricFamily, MetricSample } from "./metric-family.ts";

/** Drop counters by name, and the reason each stands for in `mongoose_events_dropped_total`. */
const DROP_REASONS: Readonly<Record<string, string>> = {
  feed_dropped_total: "consumer_gone",
  feed_unrouted_total: "unrouted",
  feed_mapper_dropped_total: "mapper_dropped",
  pipe_unrouted_total: "unrouted",
  pipe_mapper_dropped_total: "mapper_dropped",
};

const EVENTS_DROPPED = "mongoose_events_dropped_total";
const EVENTS_DROPPED_HELP = "Events a feed or pipe did not deliver, by reason: consumer_gone (the subscribing agent was gone), " +
  "unrouted (no agent subscribed), mapper_dropped (its value mapper returned null).";

/** The drop counter's labels under the family's: a pipe is named as the feed it is. */
const dropLabels = (labels: Record<string, string>, reason: string) => ({ agent: labels.agent, feed: labels.feed ?? labels.pipe, reason });

/**
 * The families of `counters`: counters end in `_total`; anything else (e.g. `fanout_circuit_open`) is a gauge.
 *
 * @example
 * ```ts
 * counterFamilies([{ name: "handler_events_total", help: "Events delivered to the handler.", labels: { agent: "a", handler: "h" }, value: 3 }]);
 * // [{ name: "mongoose_handler_events_total", type: "counter", samples: [{ labels: { agent: "a", handler: "h" }, value: 3 }], … }]
 * ```
 */
export function counterFamilies(counters: readonly CounterSample[]): MetricFamily[] {
  const families = new Map<string, MetricFamily>();
  const series = new Map<string, MetricSample>();
  for (const counter of counters) {
    const reason = DROP_REASONS[counter.name];
    const name = reason === undefined ? `mongoose_${counter.name}` : EVENTS_DROPPED;
    const labels = reason === undefined ? counter.labels : dropLabels(counter.labels, reason);
    let family = families.get(name);
    if (!family) {
      family = { name, help: reason === undefined ? counter.help : EVENTS_DROPPED_HELP, type: name.endsWith("_total") ? "counter" : "gauge", samples: [] };
      families.set(name, family);
    }
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    const sample = series.get(key);
    if (sample) {
      sample.value += counter.value;
    } else {
      const fresh = { labels, value: counter.value };
      series.set(key, fresh);
      family.samples.push(fresh);
    }
  }
  return [...families.values()];
}

/**
 * @example
 * ```ts
 * const families = await counterMetrics(server); // read from shared memory, no agent is asked
 * ```
 */
export const counterMetrics: MetricCollector = (server) => counterFamilies(server.counters());
