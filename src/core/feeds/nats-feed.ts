/**
 * `type: nats` feed: a durable JetStream pull consumer. Messages are published to the subscribers in the
 * order they arrive and acked only once every subscribing handler has handled them and the sink outputs
 * sent while handling them are written (`ctx.durableSequence()`, see `DurableAcks`): after a crash the
 * broker delivers what was not acked again (at-least-once).
 *
 * - **Bounded pull.** The consumer's `max_ack_pending` caps the messages out and not acked, so the client
 *   never holds more than that. A full ring never blocks the agent: the message is published with
 *   `{wait: false}`, kept, and offered again on the next duty cycle; a slow handler slows the pull.
 * - **Acks without a map.** Messages wait in a circular queue in arrival order, each with the feed sequence
 *   number it was published as (a message the mapper dropped or dead-lettered carries the sequence before
 *   it). Sequences only grow, so one pass from the head acks every message whose sequence is
 *   `<= durableSequence()`.
 * - **Slow handlers.** Messages held longer than a third of `ackWaitMs` are reported in progress
 *   (`working()`), so the broker does not deliver them again while they wait for a handler.
 * - **Wakeups.** Messages arrive in the event loop (the agent parks without blocking its thread: see
 *   `ioOnEventLoop`), are queued there and wake the agent; the duty cycle publishes them. While messages
 *   wait for their ack the agent looks again every {@link ACK_CHECK_MS}; idle, it costs no wakeups.
 * - **Trace context.** Only with `tracing:` configured (a tracer given): each message's `traceparent`
 *   header goes through the tracer (see boundary-tracer.ts) and the result travels with the event.
 *   Without it the headers are never looked at.
 *
 * @module
 */
import { setTimeout } from "node:timers";
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type JetStreamManager,
  type JsMsg,
  StorageType,
} from "@nats-io/jetstream";
import { type NatsConnection, nanos } from "@nats-io/transport-node";
import type { FeedPlan } from "../../plan/types.ts";
import type { Counter, CounterBlock } from "../counters.ts";
import { NatsLink, type NatsConnectionSettings } from "../nats/nats-link.ts";
import type { FeedContext, FeedPlugin, FeedStatus } from "../plugin-api.ts";
import type { BoundaryTracer } from "../tracing/boundary-tracer.ts";
import { TRACEPARENT_HEADER } from "../tracing/traceparent.ts";

/** A feed's NATS keys as planned (see config/nats-keys.ts). */
export interface NatsFeedSettings extends NatsConnectionSettings {
  stream?: string;
  createStream: boolean;
  durable?: string;
  deliverPolicy: "all" | "new" | "last" | { startSequence: number } | { startTime: string };
  ackWaitMs: number;
  maxAckPending: number;
}

/** While messages wait for their ack, the agent looks at the durable sequence at least this often. */
const ACK_CHECK_MS = 5;
/** Publish options of an untraced message (one object for all). */
const NO_WAIT = { wait: false } as const;
/** Most messages one pull asks for: several instances sharing a durable split the work in pulls this size. */
const MAX_PULL = 256;
/** At stop, how long to wait for handled messages' outputs to be written before the rest are left unacked. */
const STOP_ACK_WAIT_MS = 5_000;

/**
 * @example
 * ```ts
 * const feed = new NatsFeed(plan, counters); // plan.settings: servers, subject, stream, durable, …
 * const traced = new NatsFeed(plan, counters, new PassThroughTracer()); // handlers see meta.traceparent
 * ```
 */
export class NatsFeed implements FeedPlugin {
  readonly ioOnEventLoop = true;
  private ctx!: FeedContext;
  private readonly settings: NatsFeedSettings;
  private link!: NatsLink;
  private messages: ConsumerMessages | undefined;
  /** Circular queue of messages in arrival order: [head, published) published and not acked, [published, tail) waiting. */
  private queue: (JsMsg | undefined)[] = new Array(64);
  private ackAfter = new Float64Array(64);
  /** With a tracer: the trace context to publish each queued message with, at the same positions as `queue`. */
  private traceparents: (string | undefined)[] | undefined;
  private head = 0;
  private published = 0;
  private tail = 0;
  private readonly pending: Counter;
  private readonly acked: Counter;
  private readonly redelivered: Counter;
  private readonly connected: Counter;
  /** When the held messages are next reported in progress to the broker (`performance.now()` ms). */
  private nextProgressAt = 0;
  private stopped = false;
  /** The connection was started: at startComplete, or on the first duty cycle, once someone subscribes. */
  private pulling = false;
  /** Paused: what arrived waits unpublished, reported in progress (see {@link NatsFeed.pausedWork}). */
  private holding = false;

  constructor(private readonly plan: FeedPlan, counters: CounterBlock, private readonly tracer?: BoundaryTracer) {
    this.settings = plan.settings as unknown as NatsFeedSettings;
    if (tracer) this.traceparents = new Array(64);
    const labels = { feed: plan.name };
    this.pending = counters.counter("nats_pending", labels);
    this.acked = counters.counter("nats_acked_total", labels);
    this.redelivered = counters.counter("nats_redelivered_total", labels);
    this.connected = counters.counter("nats_connected", { component: plan.name });
  }

  init(ctx: FeedContext): void {
    this.ctx = ctx;
    this.link = new NatsLink(`feed "${this.plan.name}"`, this.settings, ctx.log, this.connected, (nc) => this.consume(nc), () => ctx.wake());
  }

  /**
   * Connects only if someone subscribes: a feed nobody receives would hold up to maxAckPending messages
   * unacked that other instances could take. (A subscriber added later starts it from `doWork`, which
   * the host runs only while someone subscribes.)
   */
  startComplete(): void {
    if (this.ctx.subscriberCount() > 0) this.startPulling();
  }

  status(): FeedStatus {
    // Idle for want of subscribers is not a fault: it pulls nothing, so nothing waits on it.
    if (!this.pulling) return { connected: true, detail: "idle: no handler subscribes, so it does not connect or pull" };
    return this.link.status();
  }

  doWork(): number {
    this.holding = false;
    if (!this.pulling) this.startPulling();
    const ctx = this.ctx;
    const mask = this.queue.length - 1;
    let work = 0;
    const traceparents = this.traceparents;
    while (this.published < this.tail) {
      const message = this.queue[this.published & mask]!;
      const options = traceparents === undefined ? NO_WAIT : { wait: false, traceparent: traceparents[this.published & mask] };
      if (!ctx.publish(message.string(), undefined, options)) break;
      this.ackAfter[this.published & mask] = ctx.lastSequence();
      this.published++;
      work++;
    }
    work += this.ackDurable();
    if (this.head < this.tail) this.reportProgress();
    return work;
  }

  /**
   * Paused (`feed.pause`): publishes nothing, but acks what the handlers finished and keeps reporting the
   * held messages in progress, so the broker neither redelivers them nor, once `maxAckPending` are out,
   * sends more: the pull stalls until the feed resumes.
   */
  pausedWork(): number {
    this.holding = true;
    const work = this.ackDurable();
    if (this.head < this.tail) this.reportProgress();
    return work;
  }

  private startPulling(): void {
    this.pulling = true;
    this.link.start();
  }

  /** Every third of the ack wait, tells the broker the held messages are in progress (resets their ack timers). */
  private reportProgress(): void {
    const now = performance.now();
    if (now < this.nextProgressAt) return;
    this.nextProgressAt = now + this.settings.ackWaitMs / 3;
    const mask = this.queue.length - 1;
    for (let i = this.head; i < this.tail; i++) this.queue[i & mask]!.working();
  }

  millisToNextDeadline(): number {
    return this.head < this.published || (this.holding && this.head < this.tail) ? ACK_CHECK_MS : Infinity;
  }

  /** Stops pulling; messages not yet published are handed back (nak) for another instance or the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.messages?.close().catch(() => {});
    this.messages = undefined;
    const mask = this.queue.length - 1;
    for (let i = this.published; i < this.tail; i++) this.queue[i & mask]!.nak();
    this.tail = this.published;
    this.pending.set(this.tail - this.head);
  }

  /** After the drain: acks what was handled and written, then closes the connection. */
  async tearDown(): Promise<void> {
    const deadline = performance.now() + STOP_ACK_WAIT_MS;
    while (this.head < this.published && this.ctx.durableSequence() < this.ctx.deliveredSequence() && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    this.ackDurable();
    await this.link.close();
    await this.tracer?.flush();
  }

  /** Acks, from the head, every message whose sequence is durable. */
  private ackDurable(): number {
    const durable = this.ctx.durableSequence();
    const mask = this.queue.length - 1;
    let acked = 0;
    while (this.head < this.published && this.ackAfter[this.head & mask] <= durable) {
      this.queue[this.head & mask]!.ack();
      this.queue[this.head & mask] = undefined;
      if (this.traceparents) this.traceparents[this.head & mask] = undefined;
      this.head++;
      acked++;
    }
    if (acked > 0) {
      this.acked.add(acked);
      this.pending.set(this.tail - this.head);
    }
    return acked;
  }

  /** Called in the event loop for each message the pull brought. */
  private readonly arrived = (message: JsMsg): void => {
    if (this.stopped) {
      message.nak(); // arrived while the pull was being closed
      return;
    }
    if (this.tail === this.head) this.nextProgressAt = performance.now() + this.settings.ackWaitMs / 3;
    if (this.tail - this.head === this.queue.length) this.grow();
    this.queue[this.tail & (this.queue.length - 1)] = message;
    if (this.traceparents) this.traceparents[this.tail & (this.queue.length - 1)] = this.traceOf(message);
    this.tail++;
    if (message.info.deliveryCount > 1) this.redelivered.inc();
    this.pending.set(this.tail - this.head);
    this.ctx.wake();
  };

  /** The trace context to carry with `message`: its `traceparent` header as the tracer passes it on. */
  private traceOf(message: JsMsg): string | undefined {
    return this.tracer!.received(message.headers?.get(TRACEPARENT_HEADER) || undefined, { subject: message.subject, component: this.plan.name });
  }

  /** Doubles the queue (its size stays a power of two), keeping the entries at their absolute positions. */
  private grow(): void {
    const size = this.queue.length;
    const queue: (JsMsg | undefined)[] = new Array(size * 2);
    const ackAfter = new Float64Array(size * 2);
    const traceparents: (string | undefined)[] | undefined = this.traceparents && new Array(size * 2);
    for (let i = this.head; i < this.tail; i++) {
      queue[i & (size * 2 - 1)] = this.queue[i & (size - 1)];
      ackAfter[i & (size * 2 - 1)] = this.ackAfter[i & (size - 1)];
      if (traceparents) traceparents[i & (size * 2 - 1)] = this.traceparents![i & (size - 1)];
    }
    this.queue = queue;
    this.ackAfter = ackAfter;
    this.traceparents = traceparents;
  }

  /** Once connected: the stream (created if missing and allowed), the durable consumer, then the pull. */
  private async consume(nc: NatsConnection): Promise<void> {
    const { subject, createStream, maxAckPending } = this.settings;
    const manager = await jetstreamManager(nc);
    const stream = this.settings.stream ?? await manager.streams.find(subject).catch(() => undefined) ?? streamNameOf(this.plan.name);
    try {
      await manager.streams.info(stream);
    } catch (thrown) {
      if (!isNotFound(thrown)) throw thrown;
      if (!createStream) throw new Error(`stream "${stream}" does not exist (createStream: false)`);
      await manager.streams.add({ name: stream, subjects: [subject], storage: StorageType.File });
    }
    const durable = this.settings.durable ?? `mongoose-${this.plan.name}`;
    await this.ensureDurable(manager, stream, durable);
    const consumer = await jetstream(nc).consumers.get(stream, durable);
    this.messages = await consumer.consume({ max_messages: Math.min(maxAckPending, MAX_PULL), callback: this.arrived });
  }

  /**
   * Uses an existing durable as it is, and creates it only when it is missing. An add of an existing durable
   * with other editable settings does not fail on nats-server 2.9: it rewrites them (ack wait, max ack
   * pending, filter subject) for every instance sharing it, so the instance started last would decide.
   * Settings that differ from this feed's are logged, once per connection.
   */
  private async ensureDurable(manager: JetStreamManager, stream: string, durable: string): Promise<void> {
    const wanted = this.consumerConfig(durable);
    const existing = await manager.consumers.info(stream, durable).catch((thrown) => {
      if (thrown instanceof JetStreamApiError && thrown.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw thrown;
    });
    if (existing === undefined) {
      try {
        await manager.consumers.add(stream, wanted);
        return;
      } catch (thrown) {
        // Another instance created it between the lookup and the add: use theirs.
        await manager.consumers.info(stream, durable).catch(() => {
          throw thrown;
        });
        return;
      }
    }
    const { config } = existing;
    const differences = [
      config.ack_wait !== wanted.ack_wait && `ackWaitMs ${(config.ack_wait ?? 0) / 1e6} (this feed: ${this.settings.ackWaitMs})`,
      config.max_ack_pending !== wanted.max_ack_pending && `maxAckPending ${config.max_ack_pending} (this feed: ${this.settings.maxAckPending})`,
      config.filter_subject !== wanted.filter_subject && `subject ${config.filter_subject ?? "(none)"} (this feed: ${this.settings.subject})`,
    ].filter(Boolean);
    if (differences.length > 0) {
      this.ctx.log.warn(`durable "${durable}" on stream "${stream}" already exists and is used as it is: ${differences.join(", ")}`);
    }
  }

  private consumerConfig(durable: string): Partial<ConsumerConfig> {
    const { subject, deliverPolicy, ackWaitMs, maxAckPending } = this.settings;
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(ackWaitMs),
      max_ack_pending: maxAckPending,
      filter_subject: subject,
    };
    if (deliverPolicy === "all") config.deliver_policy = DeliverPolicy.All;
    else if (deliverPolicy === "new") config.deliver_policy = DeliverPolicy.New;
    else if (deliverPolicy === "last") config.deliver_policy = DeliverPolicy.Last;
    else if ("startSequence" in deliverPolicy) {
      config.deliver_policy = DeliverPolicy.StartSequence;
      config.opt_start_seq = deliverPolicy.startSequence;
    } else {
      config.deliver_policy = DeliverPolicy.StartTime;
      config.opt_start_time = new Date(deliverPolicy.startTime).toISOString();
    }
    return config;
  }
}

/** A stream name from a feed name: stream names may not contain spaces, `.`, `*`, `>`, `/` or `\`. */
function streamNameOf(feed: string): string {
  return feed.replace(/[\s.*>/\\]/g, "_").toUpperCase();
}

function isNotFound(thrown: unknown): boolean {
  return thrown instanceof JetStreamApiError && thrown.code === JetStreamApiCodes.StreamNotFound;
}
