/**
 * Fans each feed's (or pipe's) events out to the handlers on this agent that receive it, and queues pipe
 * events written on this very agent so they are delivered on the next duty cycle, never re-entrantly
 * inside the writing handler's `onEvent`.
 *
 * @module
 */
import type { FeedPlan } from "../../plan/types.ts";
import type { Clock } from "../../time/clock.ts";
import { isFixedEvent } from "../../transport/fixed-layout.ts";
import type { EventMeta } from "../handler-api.ts";
import { ReusedMeta, type RingGate } from "./inbound-ring.ts";
import type { TraceScope } from "../tracing/trace-scope.ts";
import { FixedCopy } from "../pipes/fixed-copy.ts";

/** What receives a feed's events on this agent: a handler, or a service that subscribed. */
export interface EventReceiver {
  readonly name: string;
  /** Feeds and pipes it receives. */
  readonly subscriptions: Set<string>;
  deliver(event: unknown, meta: EventMeta): void;
}

/** `wrapWithNamedEvent`'s envelope. */
interface NamedEvent {
  feedName: string;
  sequenceNumber: number;
  data: unknown;
}

/**
 * One feed's receivers (handlers and services) on this agent. It is also the gate of the feed's rings into
 * this agent: while a receiver holds as many of its events as it may (see handler-guard.ts), the rings
 * are not consumed, so the feed meets a full ring (backpressure) instead of the receiver queueing more.
 *
 * @example
 * ```ts
 * const delivery = new FeedDelivery(feedPlan, clock);
 * delivery.add(hostedHandler);
 * delivery.deliver(value, meta); // every added receiver's onEvent, in order
 * ```
 */
export class FeedDelivery implements RingGate {
  readonly receivers: EventReceiver[] = [];
  /** Receivers that hold back all the events of this feed they may: while any do, the rings wait. */
  private holdingBack = 0;
  private readonly localMeta: ReusedMeta;
  /** Reused around fixed-layout events, which are only valid during onEvent anyway: no allocation per event. */
  private readonly reusedEnvelope: NamedEvent;

  constructor(readonly feed: FeedPlan, clock: Clock) {
    this.localMeta = new ReusedMeta(feed.name, clock);
    this.reusedEnvelope = { feedName: feed.name, sequenceNumber: 0, data: undefined };
  }

  admit(limit: number): number {
    return this.holdingBack === 0 ? limit : 0;
  }

  /** A receiver starts (true) or stops (false) holding back this feed's rings. */
  holdBack(holding: boolean): void {
    this.holdingBack += holding ? 1 : -1;
  }

  add(receiver: EventReceiver): void {
    if (!this.receivers.includes(receiver)) this.receivers.push(receiver);
  }

  remove(receiver: EventReceiver): void {
    const index = this.receivers.indexOf(receiver);
    if (index >= 0) this.receivers.splice(index, 1);
  }

  /** Hands one event to every receiver. */
  protected readonly fanOut = (value: unknown, meta: EventMeta): void => {
    const event = this.feed.wrapWithNamedEvent ? this.wrap(value, meta) : value;
    const receivers = this.receivers;
    for (let i = 0; i < receivers.length; i++) receivers[i].deliver(event, meta);
  };

  /** Delivers one event of the feed (the same function as {@link fanOut}: no extra call on the hot path). */
  readonly deliver: (value: unknown, meta: EventMeta) => void = this.fanOut;

  /** A pipe event written on this very agent, with the trace context it carries, if any. */
  deliverLocal(value: unknown, sequence: number, publishedNanos: number, traceparent?: string): void {
    this.localMeta.sequenceNumber = sequence;
    this.localMeta.publishedNanos = publishedNanos;
    this.localMeta.traceparent = traceparent;
    this.deliver(value instanceof FixedCopy ? value.read() : value, this.localMeta);
  }

  private wrap(value: unknown, meta: EventMeta): NamedEvent {
    if (!isFixedEvent(value)) return { feedName: meta.feed, sequenceNumber: meta.sequenceNumber, data: value };
    const envelope = this.reusedEnvelope;
    envelope.sequenceNumber = meta.sequenceNumber;
    envelope.data = value;
    return envelope;
  }
}

interface LocalPipeEvent {
  delivery: FeedDelivery;
  value: unknown;
  sequence: number;
  publishedNanos: number;
  traceparent: string | undefined;
}

/**
 * Every feed's delivery on this agent, created on first use, and the queue of pipe events written here.
 *
 * @example
 * ```ts
 * const deliveries = new FeedDeliveries(clock, (feed) => new ReplayRecordDelivery(feed, clock, timeline, deadLetters));
 * deliveries.of(feedPlan).add(handler);
 * deliveries.queueLocal(deliveries.of(pipePlan), value, 1, clock.nanos());
 * deliveries.deliverQueued(); // 1
 * ```
 */
export class FeedDeliveries {
  private readonly byFeed = new Map<string, FeedDelivery>();
  private queued: LocalPipeEvent[] = [];

  /**
   * @param recordDelivery builds the delivery of a `clock: replayRecords` feed (see record-timeline.ts).
   * @param traceScope the agent's trace scope, with `tracing:` on: set around each local pipe event's delivery.
   */
  constructor(
    private readonly clock: Clock,
    private readonly recordDelivery: (feed: FeedPlan) => FeedDelivery = (feed) => new FeedDelivery(feed, clock),
    private readonly traceScope?: TraceScope,
  ) {}

  /** The delivery of `feed`, created if needed. */
  of(feed: FeedPlan): FeedDelivery {
    let delivery = this.byFeed.get(feed.name);
    if (!delivery) {
      delivery = feed.clock === "replayRecords" ? this.recordDelivery(feed) : new FeedDelivery(feed, this.clock);
      this.byFeed.set(feed.name, delivery);
    }
    return delivery;
  }

  /** The delivery of `feed` if anything here receives it. */
  receiving(feedName: string): FeedDelivery | undefined {
    const delivery = this.byFeed.get(feedName);
    return delivery && delivery.receivers.length > 0 ? delivery : undefined;
  }

  /**
   * Stops delivering anything to `receiver` (a handler or service removed at runtime); returns the feeds
   * nothing here receives any more, whose rings into this agent can be released.
   */
  removeEverywhere(receiver: EventReceiver): string[] {
    const released: string[] = [];
    for (const [feed, delivery] of this.byFeed) {
      if (!delivery.receivers.includes(receiver)) continue;
      delivery.remove(receiver);
      if (delivery.receivers.length === 0) released.push(feed);
    }
    return released;
  }

  /** Forgets a removed feed's delivery; local pipe events still queued for it are dropped with it. */
  forget(feedName: string): void {
    this.byFeed.delete(feedName);
    this.queued = this.queued.filter((event) => event.delivery.feed.name !== feedName);
  }

  queueLocal(delivery: FeedDelivery, value: unknown, sequence: number, publishedNanos: number, traceparent?: string): void {
    this.queued.push({ delivery, value, sequence, publishedNanos, traceparent });
  }

  get hasQueued(): boolean {
    return this.queued.length > 0;
  }

  /** Delivers what was queued before this call (events queued meanwhile wait for the next); returns how many. */
  deliverQueued(): number {
    const events = this.queued;
    this.queued = [];
    const scope = this.traceScope;
    for (const { delivery, value, sequence, publishedNanos, traceparent } of events) {
      if (scope === undefined) {
        delivery.deliverLocal(value, sequence, publishedNanos);
        continue;
      }
      const outer = scope.current;
      scope.current = traceparent;
      try {
        delivery.deliverLocal(value, sequence, publishedNanos, traceparent);
      } finally {
        scope.current = outer;
      }
    }
    return events.length;
  }
}
