/**
 * The interfaces feeds and sinks implement: the built-in ones (file, interval, memory, console, fan-out)
 * and plugins loaded with `type: module`. A plugin file needs only type imports from here.
 *
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { FixedEvent } from "../transport/fixed-layout.ts";
import type { EventMeta } from "./handler-api.ts";
import type { Logger } from "../log/log.ts";

/** Where a raw event came from, for dead-letter records (e.g. the line of a file). */
export interface EventOrigin {
  /** 1-based line number in the source, empty lines counted; absent when unknown (a file read from a saved position). */
  line?: number;
  /** Byte offset of the start of the event in its source. */
  offset?: number;
  /** The raw text, when the event was text. */
  raw?: string;
}

/** How {@link FeedContext.publish} publishes one event. */
export interface PublishOptions {
  /** False: publish nothing (and return false) rather than wait while a subscriber's ring is full. */
  wait?: boolean;
  /**
   * The event's W3C trace context, handed to handlers as `meta.traceparent` and carried on to the sinks
   * they write to while handling it. Ignored unless `tracing:` is configured.
   */
  traceparent?: string;
}

/** What a feed gets in `init(ctx)` and `start(ctx)`; valid for the feed's life. */
export interface FeedContext {
  readonly feedName: string;
  /** The agent (thread) the feed runs on. */
  readonly agentName: string;
  /** The feed's own settings (for `type: module`, its `config` map; for built-ins, the entry's keys). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly clock: Clock;
  readonly log: Logger;
  /**
   * Publishes one raw event: the feed's value mapper runs, then the event goes to every subscriber (or,
   * before the server completed its start with `cacheEventLog: true`, to the pre-start cache). While a
   * subscriber's ring is full it waits, unless `options.wait` is false. Returns false when nothing was
   * published: the cache is full, or (with `wait: false`) a ring is full right now. Keep the event and
   * offer it again later (e.g. in the next `doWork`).
   */
  publish(value: unknown, origin?: EventOrigin, options?: PublishOptions): boolean;
  /**
   * Publishes one line of text given as its UTF-8 bytes `bytes[from, to)`, as {@link FeedContext.publish}
   * would publish its decoded text (with `origin.raw` set to it). A `valueMapper: json` feed copies the
   * bytes to its subscribers without decoding them (they parse the line), so a line-reading feed never
   * builds a string on its own thread. The bytes are copied before it returns.
   *
   * @example
   * ```ts
   * const bytes = new TextEncoder().encode('{"px":1}\n');
   * ctx.publishLine(bytes, 0, bytes.length - 1, { line: 1, offset: 0 }, { wait: false });
   * ```
   */
  publishLine(bytes: Uint8Array, from: number, to: number, origin?: EventOrigin, options?: PublishOptions): boolean;
  /**
   * For a feed with an `eventType`: the event to fill next. When the feed has one subscribing agent and
   * its ring has room, the event is a flyweight over the claimed ring slot itself, so setting fields
   * writes the record in place; otherwise over a scratch buffer. Set every field, then `publish` it
   * (no mapper runs on a claimed event). Valid until that publish; claim again for the next event.
   * Throws if the feed has no `eventType`.
   *
   * @example
   * ```ts
   * const tick = ctx.claim() as unknown as { px: number; qty: number };
   * tick.px = 101.25; tick.qty = 100;
   * ctx.publish(tick);
   * ```
   */
  claim(): FixedEvent;
  /**
   * For a feed with an `eventType`: room for up to `count` events to fill and publish at once (at most
   * 4096, and fewer when the ring has less room: fill `batch.length` of them). With one subscribing agent
   * and room in its ring, the events are written in place and `publish` makes them visible with one
   * record header for the whole batch (consecutive sequence numbers, one publish time): the fastest way to
   * publish. Otherwise they are filled in a scratch buffer and published one by one, with the same effect.
   * Publish (or the feed's next failure abandons) the batch before claiming anything else.
   *
   * @example
   * ```ts
   * const batch = ctx.claimBatch(256);
   * for (let i = 0; i < batch.length; i++) {
   *   const tick = batch.at(i) as unknown as { px: number; qty: number };
   *   tick.px = 101.25; tick.qty = 100 + i;
   * }
   * batch.publish();
   * ```
   */
  claimBatch(count: number): EventBatch;
  /** Declares the feed finished (nothing more will come), e.g. after reading a file once. */
  complete(): void;
  /** Sequence number of the last event accepted by `publish` (published or cached); 0 before the first. */
  lastSequence(): number;
  /**
   * Every event up to this sequence number has been consumed by every subscribing agent (their handlers
   * returned from `onEvent`). A source that can replay (a file, a broker) commits its position up to here
   * for at-least-once delivery across crashes.
   */
  deliveredSequence(): number;
  /**
   * Like {@link FeedContext.deliveredSequence}, and moreover every value the subscribers' handlers sent
   * to sinks while handling those events (synchronously in `onEvent`) has been written by those sinks
   * (their `flush` returned, or for a sink with `written()`, that count reached them). Advances only on
   * servers with a `COMMITTED` file feed or a NATS feed (elsewhere it stays 0): see "Crashes and
   * shutdown" in the README.
   *
   * @example
   * ```ts
   * const safeToCommit = ctx.durableSequence(); // <= ctx.deliveredSequence()
   * ```
   */
  durableSequence(): number;
  /**
   * Asks the hosting agent for a duty cycle soon (it may be parked): for work found outside `doWork`,
   * e.g. by a socket's callback. Cheap; calling it from inside the duty cycle does nothing.
   *
   * @example
   * ```ts
   * socket.on("data", (chunk) => { this.queue.push(chunk); ctx.wake(); });
   * ```
   */
  wake(): void;
  /** How many agents receive this feed now (0: nobody subscribes; it is known from `startComplete` on). */
  subscriberCount(): number;
}

/** Fixed-layout events claimed together with {@link FeedContext.claimBatch}; valid until published. */
export interface EventBatch {
  /** Events in the batch (1 to the count asked). */
  readonly length: number;
  /**
   * Event `index` (0 ≤ index < length) to fill: the batch's one flyweight, moved to that slot, so it is
   * valid until the next `at`. Set every field.
   */
  at(index: number): FixedEvent;
  /**
   * Publishes the first `count` events (default all of them), in order; the rest are dropped unpublished.
   * Returns how many were published: fewer than asked only when the pre-start cache filled up (keep the
   * rest and offer them again later).
   */
  publish(count?: number): number;
}

/** A feed's own view of its state, shown in topology and readiness. */
export interface FeedStatus {
  /** False while the source is not available (e.g. the file does not exist yet). */
  connected: boolean;
  /** A short human-readable state, e.g. `waiting for data-in/prices.jsonl`. */
  detail?: string;
}

/**
 * A feed implementation. Agent-hosted feeds implement `doWork` (called on their agent's duty cycle, once
 * they may publish); self-driven feeds publish from their own callbacks through `ctx.publish`.
 *
 * @example
 * ```ts
 * export default class Counter implements FeedPlugin {
 *   private ctx!: FeedContext;
 *   private next = 0;
 *   init(ctx: FeedContext) { this.ctx = ctx; }
 *   doWork() { return this.next < 10 && this.ctx.publish(this.next) ? (this.next++, 1) : 0; }
 * }
 * ```
 */
export interface FeedPlugin {
  init?(ctx: FeedContext): void | Promise<void>;
  start?(ctx: FeedContext): void | Promise<void>;
  startComplete?(): void | Promise<void>;
  /** One bounded step of work; returns how much was done (0 = idle). */
  doWork?(): number;
  /** Milliseconds until `doWork` has timed work, or Infinity; the agent wakes no later. */
  millisToNextDeadline?(): number;
  /**
   * Called instead of `doWork` while the feed is paused (runtime tuning, `feed.pause`): upkeep that must go
   * on without publishing, e.g. acking what was handled. Without it a paused feed does nothing.
   * `millisToNextDeadline` keeps waking the agent for it.
   */
  pausedWork?(): number;
  status?(): FeedStatus;
  /**
   * True for a plugin whose I/O completes in the event loop's callbacks (a socket): its agent then never
   * blocks its thread while it parks, so those callbacks run during the park and wake it with `ctx.wake()`.
   */
  readonly ioOnEventLoop?: boolean;
  stop?(): void | Promise<void>;
  tearDown?(): void | Promise<void>;
}

/** What a sink gets in `init(ctx)` and `start(ctx)`. */
export interface SinkContext {
  readonly sinkName: string;
  readonly agentName: string;
  /** The sink's own settings (for `type: module`, its `config` map; for built-ins, the entry's keys). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly clock: Clock;
  readonly log: Logger;
  /**
   * Declares `count` values lost for good (e.g. a write failed and they are not retried): they are
   * counted (`sink_lost_total`), reported as an error, and make the server's stop unclean, naming the
   * sink, the total and the last cause. Throwing from `accept` instead reports one value that failed.
   *
   * @example
   * ```ts
   * try { writeSync(fd, batch); } catch (error) { ctx.lost(lines.length, error); }
   * ```
   */
  lost(count: number, cause: unknown): void;
  /** As {@link FeedContext.wake}: e.g. when a write completed, so `written()` or `capacity()` moved. */
  wake(): void;
}

/** A sink's connection state, shown in readiness (as a feed's {@link FeedStatus}). */
export type SinkStatus = FeedStatus;

/**
 * A sink implementation: values arrive on the sink's agent, one `accept` per value, in the order each
 * writer sent them. Throwing from `accept` counts and reports the failure; the next value still comes.
 *
 * @example
 * ```ts
 * export default class Upper implements SinkPlugin {
 *   accept(value: unknown) { console.log(String(value).toUpperCase()); }
 * }
 * ```
 */
export interface SinkPlugin {
  init?(ctx: SinkContext): void | Promise<void>;
  start?(ctx: SinkContext): void | Promise<void>;
  startComplete?(): void | Promise<void>;
  /** One value; `meta.feed` names the agent that sent it. */
  accept(value: unknown, meta: EventMeta): void;
  /** Push out anything buffered: called when the agent goes idle after values, and before stop. */
  flush?(): void;
  /**
   * For a sink whose writes complete after `accept` returns (a broker's acknowledgement): how many of the
   * values passed to `accept` so far are written for good, counted in `accept` order (each one counts
   * only once every earlier one does; a value given up on and declared `lost` counts as done). With it,
   * end-to-end commits wait for this count instead of `flush`; without it a value is written once `flush`
   * returned.
   *
   * @example
   * ```ts
   * written() { return this.settledPrefix; }
   * ```
   */
  written?(): number;
  /** How many more values `accept` may take now (Infinity when unbounded): at 0 the sink's rings are not read, so producers meet a full ring. */
  capacity?(): number;
  /** As {@link FeedPlugin.ioOnEventLoop}. */
  readonly ioOnEventLoop?: boolean;
  /** The sink's connection state for readiness; absent means connected. */
  status?(): SinkStatus;
  stop?(): void | Promise<void>;
  tearDown?(): void | Promise<void>;
}
