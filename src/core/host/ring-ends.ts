/**
 * Connects the ring ends the supervisor hands an agent (in its boot message or an `attach` request):
 * a consuming end becomes an {@link InboundRing} delivering to handlers or to a hosted sink; a producing
 * end is given to the feed's publisher, the pipe's writer or the sink's writer on this agent.
 *
 * @module
 */
import { AgentSignals } from "../../agent/signals.ts";
import type { FeedPlan } from "../../plan/types.ts";
import type { Clock } from "../../time/clock.ts";
import { RingConsumer, RingProducer } from "../../transport/ring.ts";
import type { CodecTable } from "../../transport/codecs.ts";
import type { Endpoint } from "../protocol.ts";
import type { FeedDeliveries } from "./feed-delivery.ts";
import type { HostedFeed } from "./hosted-feed.ts";
import type { HostedSinks } from "./hosted-sink.ts";
import { LaterWrites } from "./later-writes.ts";
import { type DecodeFailure, InboundRing } from "./inbound-ring.ts";
import type { InboundRings } from "./inbound-rings.ts";
import type { Outputs } from "./outputs.ts";
import type { TraceScope } from "../tracing/trace-scope.ts";

/** The parts of an agent that ring ends connect to. */
export interface RingEndTargets {
  clock: Clock;
  codecs: CodecTable;
  feedPlans: ReadonlyMap<string, FeedPlan>;
  feeds: ReadonlyMap<string, HostedFeed>;
  sinks: HostedSinks;
  deliveries: FeedDeliveries;
  inbound: InboundRings;
  outputs: Outputs;
  decodeFailed: DecodeFailure;
  /** Every feed ring this agent produces into, by {@link feedRingKey} (runtime tuning changes their policy). */
  feedProducers: Map<string, RingProducer>;
  /** Present when `tracing:` is configured: inbound rings then read the trace context records carry. */
  traceScope?: TraceScope;
}

/**
 * The key of the ring carrying `feed` into `consumerAgent`.
 *
 * @example
 * ```ts
 * targets.feedProducers.get(feedRingKey("prices", "processor"));
 * ```
 */
export function feedRingKey(feed: string, consumerAgent: string): string {
  return `${feed}\u0000${consumerAgent}`;
}

/**
 * @example
 * ```ts
 * for (const endpoint of boot.endpoints) attachRingEnd(endpoint, targets);
 * ```
 */
export function attachRingEnd(endpoint: Endpoint, targets: RingEndTargets): void {
  const { clock, codecs, decodeFailed, traceScope } = targets;
  switch (endpoint.kind) {
    case "feedConsumer": {
      const feed = targets.feedPlans.get(endpoint.feed)!;
      const delivery = targets.deliveries.of(feed);
      const ring = new InboundRing(new RingConsumer(endpoint.ring), feed.name, clock, codecs, delivery.deliver, decodeFailed, delivery, traceScope);
      targets.inbound.add(feed.type === "pipe" ? "pipe" : "feed", ring);
      return;
    }
    case "feedProducer": {
      const producer = new RingProducer(endpoint.ring, new AgentSignals(endpoint.consumerSignals).wake);
      targets.feedProducers.set(feedRingKey(endpoint.feed, endpoint.consumerAgent), producer);
      if (!targets.outputs.attachPipe(endpoint.feed, producer, endpoint.consumerAgent)) {
        targets.feeds.get(endpoint.feed)!.addSubscriber(producer, endpoint.consumerAgent);
      }
      return;
    }
    case "sinkConsumer": {
      const deliver = targets.sinks.deliverTo(endpoint.sink);
      const gate = targets.sinks.gateOf(endpoint.sink);
      const consumer = new RingConsumer(endpoint.ring);
      const sink = targets.sinks.get(endpoint.sink)!;
      const later = sink.writesLater ? new LaterWrites(consumer, sink) : undefined;
      targets.inbound.add("sink", new InboundRing(consumer, endpoint.producerAgent, clock, codecs, deliver, decodeFailed, gate, traceScope), later);
      return;
    }
    case "sinkProducer":
      targets.outputs.attachSink(endpoint.sink, new RingProducer(endpoint.ring, new AgentSignals(endpoint.consumerSignals).wake));
      return;
  }
}
