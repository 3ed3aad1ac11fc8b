/**
 * A batch of fixed-layout events a feed fills in place and publishes at once ({@link FeedContext.claimBatch}).
 *
 * When the feed has one subscribing agent and its ring has room, the batch is one batch record in that
 * ring (see ring.ts): the events are written where the consumer will read them, and publishing writes one
 * header for all of them, with consecutive sequence numbers and one publish time. Otherwise (several
 * subscribers, a full ring, the pre-start cache) the events are filled in a scratch buffer and published
 * one by one on `publish`, as {@link FeedContext.publish} would, so the feed's code is the same either way.
 *
 * @module
 */
import type { EventType, FixedEvent } from "../../transport/fixed-layout.ts";
import type { EventBatch } from "../plugin-api.ts";
import type { FeedPublisher } from "./feed-publisher.ts";

/** The most events one batch holds, whatever was asked: bounds the scratch buffer of the fallback. */
export const MAX_BATCH_EVENTS = 4096;

/**
 * The one batch object of a feed channel, re-opened by each claim.
 *
 * @example
 * ```ts
 * const batch = new ClaimedEventBatch(tickType, publisher, (tick) => channel.publish(tick));
 * const n = batch.open(256).length;
 * for (let i = 0; i < n; i++) batch.at(i).px = 100 + i;
 * batch.publish();
 * ```
 */
export class ClaimedEventBatch implements EventBatch {
  length = 0;
  private readonly flyweight: FixedEvent;
  private readonly itemLength: number;
  private bytes: Uint8Array = new Uint8Array(0);
  private base = 0;
  /** The batch is a record claimed in the ring (else it is filled in {@link scratch}). */
  private inRing = false;
  private scratch: Uint8Array | undefined;
  isOpen = false;

  /** @param sendOne publishes one event filled in the scratch buffer; false when it was not accepted (pre-start cache full) */
  constructor(private readonly type: EventType, private readonly publisher: FeedPublisher, private readonly sendOne: (event: FixedEvent) => boolean) {
    this.flyweight = type.flyweight();
    this.itemLength = type.byteLength;
  }

  /** Claims room for up to `count` events (see {@link FeedContext.claimBatch}); returns this batch. */
  open(count: number): this {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`claimBatch: the count must be a positive integer, got ${count}`);
    const wanted = Math.min(count, MAX_BATCH_EVENTS);
    const claimed = this.publisher.claimBatch(this.itemLength, wanted);
    this.inRing = claimed > 0;
    if (this.inRing) {
      this.length = claimed;
      this.bytes = this.publisher.claimedBytes;
      this.base = this.publisher.batchOffset;
    } else {
      this.length = wanted;
      if (this.scratch === undefined || this.scratch.length < wanted * this.itemLength) this.scratch = new Uint8Array(wanted * this.itemLength);
      this.bytes = this.scratch;
      this.base = 0;
    }
    this.isOpen = true;
    return this;
  }

  at(index: number): FixedEvent {
    if (!this.isOpen) throw new Error(`${this.type.name} batch: claim a batch before filling it (this one was published or abandoned)`);
    if (!(index >= 0 && index < this.length)) throw new RangeError(`${this.type.name} batch: event ${index} is outside the batch of ${this.length}`);
    return this.flyweight.wrap(this.bytes, this.base + index * this.itemLength);
  }

  publish(count = this.length): number {
    if (!this.isOpen) throw new Error(`${this.type.name} batch: already published or abandoned`);
    if (!Number.isInteger(count) || count < 0 || count > this.length) throw new RangeError(`${this.type.name} batch: can publish 0 to ${this.length} events, not ${count}`);
    this.isOpen = false;
    if (this.inRing) {
      this.publisher.commitBatch(this.type.codecId, this.itemLength, count);
      return count;
    }
    for (let i = 0; i < count; i++) {
      if (!this.sendOne(this.flyweight.wrap(this.bytes, i * this.itemLength))) return i;
    }
    return count;
  }

  /** Drops the open batch unpublished (its feed failed while filling it): the next claim starts afresh. */
  abandon(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    if (this.inRing) this.publisher.abandonClaim();
  }
}
