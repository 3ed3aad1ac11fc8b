/**
 * The path from a feed's raw events to its subscribers: value mapper → pre-start cache → publisher. It is
 * the {@link FeedContext} a feed plugin publishes through.
 *
 * - A mapper returning null/undefined drops the event (counted); a mapper that throws, or an event the
 *   codecs cannot carry, goes to the dead letters with its origin, and the feed goes on.
 * - With `cacheEventLog`, events published before the server completed its start are held (at most
 *   `limit`) and released in order at the feed's `startComplete`, after every handler subscribed. A full
 *   cache refuses the event (`publish` returns false) and reports it once: the feed keeps the event and
 *   offers it again later, so nothing is lost.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import { type Codec, CodecError } from "../../transport/codec.ts";
import type { EventType, FixedEvent } from "../../transport/fixed-layout.ts";
import { type JsonLine, type JsonLineBytes, jsonTextCodec } from "../../transport/json-text-codec.ts";
import { readUtf8 } from "../../transport/utf8.ts";
import type { Counter } from "../counters.ts";
import type { DeadLetterBox } from "../dead-letters.ts";
import type { Logger } from "../../log/log.ts";
import type { EventBatch, EventOrigin, FeedContext, PublishOptions } from "../plugin-api.ts";
import { ClaimedEventBatch } from "./event-batch.ts";
import { jsonFeedMapper, type Mapper, ParseError } from "../value-mappers.ts";
import type { FeedPublisher } from "./feed-publisher.ts";
import { parseTraceparent } from "../tracing/traceparent.ts";

/** What a channel needs besides its feed's identity. */
export interface ChannelOptions {
  publisher: FeedPublisher;
  mapper?: Mapper;
  cache: { enabled: boolean; limit: number };
  deadLetters: DeadLetterBox;
  mapperDropped: Counter;
  /** `throw`: encoding errors reach the caller (the embedding program's offer); `dead-letter`: they go to the dead letters. */
  onEncodingError: "throw" | "dead-letter";
  /** The fixed-layout type every event of the feed is encoded as, if it declares one. */
  eventType?: EventType;
  /** Wakes the hosting agent (see {@link FeedContext.wake}); absent where nothing parks (tests). */
  wake?: () => void;
  /** `tracing:` is configured: a valid `traceparent` given to publish travels with the event. */
  tracing?: boolean;
}

/**
 * @example
 * ```ts
 * const channel = new FeedChannel("prices", "io-agent", settings, clock, log, options);
 * channel.publish('{"px":1}', { line: 1 }); // mapped, cached or published
 * channel.goLive(); // at startComplete: releases the cache
 * ```
 */
export class FeedChannel implements FeedContext {
  private live = false;
  private cacheFullReported = false;
  /** Reused for every line of a JSON feed: the codec copies it into the ring at once. */
  private readonly jsonLine: JsonLine = { text: "", line: 0, offset: -1 };
  /** The same for a line given as bytes (see publishLine). */
  private readonly jsonLineBytes: JsonLineBytes = { bytes: new Uint8Array(0), from: 0, to: 0, line: 0, offset: -1 };
  /** What {@link FeedChannel.claim} hands out, and where it points when not into a ring. */
  private claimed: FixedEvent | undefined;
  private scratch: Uint8Array | undefined;
  private claimedInRing = false;
  /** What {@link FeedChannel.claimBatch} hands out, re-opened by each claim. */
  private batch: ClaimedEventBatch | undefined;
  completed = false;

  constructor(
    readonly feedName: string,
    readonly agentName: string,
    readonly config: Readonly<Record<string, unknown>>,
    readonly clock: Clock,
    readonly log: Logger,
    private readonly options: ChannelOptions,
  ) {
    if (options.cache.enabled) options.publisher.hold();
  }

  claim(): FixedEvent {
    const type = this.options.eventType;
    if (!type) throw new Error(`feed "${this.feedName}" has no eventType: claim() is for fixed-layout feeds`);
    this.requireNoOpenClaim();
    const event = this.claimed ??= type.flyweight();
    const at = this.options.publisher.claim(type.byteLength);
    this.claimedInRing = at >= 0;
    return this.claimedInRing ? event.wrap(this.options.publisher.claimedBytes, at) : event.wrap(this.scratch ??= new Uint8Array(type.byteLength), 0);
  }

  claimBatch(count: number): EventBatch {
    const type = this.options.eventType;
    if (!type) throw new Error(`feed "${this.feedName}" has no eventType: claimBatch() is for fixed-layout feeds`);
    this.requireNoOpenClaim();
    this.batch ??= new ClaimedEventBatch(type, this.options.publisher, (event) => this.send(event, type.codec));
    return this.batch.open(count);
  }

  private requireNoOpenClaim(): void {
    if (this.claimedInRing || this.batch?.isOpen) throw new Error(`feed "${this.feedName}": publish the claimed event or batch before claiming again`);
  }

  publish(value: unknown, origin?: EventOrigin, options?: PublishOptions): boolean {
    if (value === this.claimed && value !== undefined) {
      const type = this.options.eventType!;
      if (!this.claimedInRing) return this.send(value, type.codec, origin, options); // no mapper for a claimed event
      this.claimedInRing = false;
      this.options.publisher.commitClaimed(type.codecId, type.byteLength);
      return true;
    }
    let event = value;
    let codec: Codec | undefined = this.options.eventType?.codec;
    const mapper = this.options.mapper;
    if (mapper === jsonFeedMapper && !codec && typeof value === "string") {
      // The subscribers parse it (see jsonTextCodec); only "null", which would map to nothing, is dropped here.
      if (value.length < 16 && value.trim() === "null") return this.droppedByMapper();
      const line = this.jsonLine;
      line.text = value;
      line.line = origin?.line ?? 0;
      line.offset = origin?.offset ?? -1;
      event = line;
      codec = jsonTextCodec;
    } else if (mapper) {
      try {
        event = mapper(value, origin);
      } catch (error) {
        this.options.deadLetters.send({ reason: error instanceof ParseError ? "parse-error" : "mapper-error", feed: this.feedName, error, event: origin?.raw ?? value, origin });
        return true;
      }
      if (event === null || event === undefined) return this.droppedByMapper();
    }
    return this.send(event, codec, origin, options);
  }

  publishLine(bytes: Uint8Array, from: number, to: number, origin?: EventOrigin, options?: PublishOptions): boolean {
    if (this.options.mapper !== jsonFeedMapper || this.options.eventType || mayBeNull(bytes, from, to)) {
      const text = readUtf8(bytes, from, to - from);
      if (origin) origin.raw = text;
      return this.publish(text, origin, options);
    }
    const line = this.jsonLineBytes;
    line.bytes = bytes;
    line.from = from;
    line.to = to;
    line.line = origin?.line ?? 0;
    line.offset = origin?.offset ?? -1;
    return this.send(line, jsonTextCodec, origin, options);
  }

  /**
   * Abandons the claimed event if it was never published (the feed threw in between): nothing is
   * published for it and the next {@link FeedChannel.claim} succeeds. The host calls it when a feed's
   * duty cycle or lifecycle step fails.
   */
  abandonClaim(): void {
    this.batch?.abandon();
    if (!this.claimedInRing) return;
    this.claimedInRing = false;
    this.options.publisher.abandonClaim();
  }

  /** The cache check, then the publisher; encoding failures go to the dead letters (or the caller). */
  private send(event: unknown, codec: Codec | undefined, origin?: EventOrigin, options?: PublishOptions): boolean {
    const { publisher, cache } = this.options;
    if (!this.live && cache.enabled && publisher.held >= cache.limit) {
      if (!this.cacheFullReported) {
        this.cacheFullReported = true;
        this.log.error("pre-start cache full: the feed holds further events until the server has started", { feed: this.feedName, limit: cache.limit });
      }
      return false;
    }
    try {
      if (publisher.publish(event, options?.wait ?? true, codec, this.traceparentOf(options)) === 0) return false;
    } catch (error) {
      if (!(error instanceof CodecError) || this.options.onEncodingError === "throw") throw error;
      this.options.deadLetters.send({ reason: "encode-error", feed: this.feedName, error, event: origin?.raw ?? String(event), origin });
    }
    return true;
  }

  /** The publish's traceparent if tracing is on and it is a valid one (anything else would not fit the record). */
  private traceparentOf(options: PublishOptions | undefined): string | undefined {
    const traceparent = options?.traceparent;
    return traceparent !== undefined && this.options.tracing && parseTraceparent(traceparent) ? traceparent.trim() : undefined;
  }

  private droppedByMapper(): boolean {
    this.options.mapperDropped.inc();
    return true;
  }

  complete(): void {
    this.completed = true;
  }

  wake(): void {
    this.options.wake?.();
  }

  subscriberCount(): number {
    return this.options.publisher.subscriberCount;
  }

  lastSequence(): number {
    return this.options.publisher.lastSequence;
  }

  deliveredSequence(): number {
    return this.options.publisher.deliveredSequence();
  }

  durableSequence(): number {
    return this.options.publisher.durableSequence();
  }

  /** The server completed its start: the cached events go out, in order, then events go out live. */
  goLive(): void {
    this.live = true;
    if (this.options.cache.enabled) this.options.publisher.release();
  }
}

const LETTER_N = 0x6e;

/**
 * A short line with an `n` in it may be the JSON `null` (dropped by the json mapper): it takes the text
 * path, which decides as for any text.
 */
function mayBeNull(bytes: Uint8Array, from: number, to: number): boolean {
  if (to - from >= 16) return false;
  for (let i = from; i < to; i++) if (bytes[i] === LETTER_N) return true;
  return false;
}
