/**
 * A bounded single-producer/single-consumer ring of variable-length records in a SharedArrayBuffer.
 *
 * Layout: a 384-byte header of three 128-byte lines (producer, consumer, control; separate lines so the
 * two sides do not false-share), then `capacity` bytes of data. Positions are byte counters that only grow
 * (modulo 2^32); `position & (capacity - 1)` is the offset in the data.
 *
 * Each record is 8-byte aligned: a 24-byte header `{u32 length, u8 kind, u8 codec, u16 feedId,
 * f64 sequence, f64 publishedNanos}` followed by `length` payload bytes. A record that does not fit before
 * the end of the data is preceded by a padding record and written at offset 0. Payloads larger than a
 * quarter of the ring travel as fragments and are reassembled by the consumer.
 *
 * A batch record ({@link RingProducer.claimBatch}) carries `count` fixed-length events under one header:
 * its payload is `{u32 count, u32 itemLength}` and then the events back to back, each `itemLength` bytes (a
 * multiple of 8, so each stays aligned). Event `i` has sequence `sequence + i` and the batch's publish
 * time: what a fixed-length event would repeat in its own header (length, codec, feed id, sequence, time)
 * is said once per batch, so the header costs 32 bytes per batch instead of 24 per event.
 *
 * Memory ordering (the Disruptor's claim → write → publish, with Atomics as the fences):
 * - The producer writes record bytes with plain stores, then publishes with `Atomics.store(HEAD)`.
 *   Atomics are sequentially consistent, so every byte of the record is visible to a consumer that
 *   observed the new HEAD with `Atomics.load`.
 * - The consumer reads records with plain loads, then releases the space with `Atomics.store(TAIL)`; the
 *   producer reuses space only after `Atomics.load(TAIL)` shows it free, so it never overwrites a record
 *   still being read.
 * - Both sides cache the other side's position and re-read it only when the cached value says "full"
 *   (producer) or "empty" (consumer). The producer can commit several records and publish HEAD once;
 *   the consumer publishes TAIL once per polled batch.
 * - Statistics are float64 slots on their writer's line, written with plain stores by that side only and
 *   read by anyone (the admin server) at any time: aligned 8-byte stores do not tear, so a reader sees a
 *   value a moment old, never a torn one. The consumer keeps the deepest backlog it found on re-reading
 *   HEAD (high-water mark) and a histogram of the events each non-empty poll took ({@link BATCH_SIZE_BOUNDS}).
 *
 * When the ring is full the producer applies the policy in the header ({@link FullRingPolicy}); `block`
 * is the path above. The policy may change while the ring is in use (runtime tuning): only the producer
 * writes the header word, on its own thread between duty cycles, and it alone acts on it (the consumer reads
 * it only when it is built, e.g. by a restarted agent). The consumer's way of reading, though, must suit
 * `dropOldest` before a producer discards anything: see {@link RingProducer.changePolicy}. `dropNewest` and `disconnect` only skip the write. `dropOldest` lets the producer
 * free space, so TAIL has two writers, and the ring then works differently on both sides:
 * - The consumer never holds ring space while it runs a handler: it copies each record out (header and
 *   payload, plain loads), then takes it with `Atomics.compareExchange(TAIL, tail, next)`, and only then
 *   delivers the copy. A failed exchange means the producer discarded the record meanwhile (the copy may
 *   be torn): the consumer drops the copy and starts again from the TAIL it finds.
 * - The producer discards whole events from TAIL with `Atomics.compareExchange(TAIL, tail, next)` after
 *   publishing everything it committed (so TAIL never passes HEAD), and writes into that space only after
 *   its exchange succeeded. If the consumer took a record in between, the exchange fails and the producer
 *   re-reads TAIL. Either the consumer's exchange came first (its plain loads happen-before the producer's
 *   later overwrite, through TAIL) or the producer's (the consumer's exchange fails): a record is either
 *   delivered whole or counted as dropped, never both, never torn.
 * - TAIL positions grow modulo 2^32, so an exchange could be fooled only by 4 GiB passing through the ring
 *   between a read of TAIL and the exchange that follows it.
 *
 * The single-producer rule is structural: a ring has exactly one {@link RingProducer} object, created by the
 * supervisor for one thread, and one {@link RingConsumer} for the subscribing agent.
 *
 * @module
 */
import { ByteBuffer } from "./byte-buffer.ts";
import { copyBytes } from "./copy-bytes.ts";
import { BLOCK, DISCONNECT, DROP_OLDEST, FULL_RING_POLICIES, type FullRingPolicy } from "./full-ring-policy.ts";
import { WakeSignal } from "./wake-signal.ts";

/** Bytes before the data region. */
export const RING_HEADER_BYTES = 384;
/** Bytes of a record header. */
export const RECORD_HEADER_BYTES = 24;

// Int32 word indices (producer line: bytes 0..127, consumer line: 128..255, control line: 256..383).
const HEAD = 0;
const TAIL = 32;
const STATE = 64;
const PRODUCER_WAITING = 65;
const CAPACITY = 66;
const FEED_ID = 67;
/** The {@link FullRingPolicy} code. */
const ON_FULL = 68;
// Float64 indices for statistics, each on its writer's line.
const PUBLISHED_EVENTS = 1;
const STALLS = 2;
const STALL_NANOS = 3;
const DROPPED_NEWEST = 4;
const DROPPED_OLDEST = 5;
const DROPPED_DISCONNECTED = 6;
const CONSUMED_EVENTS = 17;
const HIGH_WATER_MARK = 18;
/** First of the consumer's batch-size buckets (float64 indices 19..28, all on the consumer line). */
const BATCH_BUCKETS = 19;
/** Events whose effects the consuming agent knows to be written (see {@link RingConsumer.markDurable}). */
const DURABLE_EVENTS = 29;

/**
 * Upper bounds of the poll batch-size histogram's buckets: a poll that took `n` events counts in the first
 * bucket whose bound is at least `n`; the last bucket (no bound) counts polls of more than 256.
 *
 * @example
 * ```ts
 * const { batchSizes } = readRingStats(buffer);
 * batchSizes[BATCH_SIZE_BOUNDS.indexOf(4)]; // polls that took 3 or 4 events
 * ```
 */
export const BATCH_SIZE_BOUNDS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const LAST_BATCH_BUCKET = BATCH_SIZE_BOUNDS.length;

/** STATE bit: the producer will write nothing more. */
const PRODUCER_CLOSED = 1;
/** STATE bit: the consumer is gone (its agent died); producers must stop waiting for space. */
const CONSUMER_GONE = 2;
/** STATE bit: the producer detached this subscriber (`disconnect` policy); it writes nothing more to it. */
const DISCONNECTED = 4;

const KIND_DATA = 1;
const KIND_PADDING = 2;
const KIND_FRAGMENT_FIRST = 3;
const KIND_FRAGMENT_MIDDLE = 4;
const KIND_FRAGMENT_LAST = 5;
const KIND_BATCH = 6;
/** Bytes before a batch record's first event: `{u32 count, u32 itemLength}`. */
const BATCH_PREFIX_BYTES = 8;

/** Smallest and largest data capacity (bytes). */
export const MIN_RING_CAPACITY = 1024;
export const MAX_RING_CAPACITY = 1 << 30;

/**
 * Allocates the shared memory of one ring. `capacity` must be a power of two; `onFull` is the code of its
 * {@link FullRingPolicy} (default block).
 *
 * @example
 * ```ts
 * const buffer = createRingBuffer(1 << 16, 3);
 * const lossy = createRingBuffer(1 << 16, 3, DROP_OLDEST);
 * ```
 */
export function createRingBuffer(capacity: number, feedId: number, onFull = BLOCK): SharedArrayBuffer {
  if (!Number.isInteger(capacity) || capacity < MIN_RING_CAPACITY || capacity > MAX_RING_CAPACITY || (capacity & (capacity - 1)) !== 0) {
    throw new RangeError(`ring capacity must be a power of two between ${MIN_RING_CAPACITY} and ${MAX_RING_CAPACITY} bytes, got ${capacity}`);
  }
  const buffer = new SharedArrayBuffer(RING_HEADER_BYTES + capacity);
  const control = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
  control[CAPACITY] = capacity;
  control[FEED_ID] = feedId;
  control[ON_FULL] = onFull;
  return buffer;
}

/** A point-in-time view of a ring, readable from any thread. */
export interface RingStats {
  capacityBytes: number;
  /** Bytes published and not yet consumed. */
  usedBytes: number;
  publishedEvents: number;
  consumedEvents: number;
  /** Events published and not yet consumed. */
  depth: number;
  /** Times the producer found the ring full. */
  stalls: number;
  /** Total time the producer spent waiting for space. */
  stallNanos: number;
  /** What the producer does when the ring is full. */
  onFull: FullRingPolicy;
  /** Events not written because the ring was full (`dropNewest`, or too large for the whole ring). */
  droppedNewest: number;
  /** Unconsumed events the producer discarded to make room (`dropOldest`). */
  droppedOldest: number;
  /** Events not written because the subscriber was disconnected (`disconnect`). */
  droppedDisconnected: number;
  /** The producer detached this subscriber (`disconnect`): it receives nothing more. */
  disconnected: boolean;
  /** Deepest backlog (events) the consumer found when it re-read HEAD while polling. */
  highWaterMark: number;
  /**
   * Non-empty polls by events taken, per bucket of {@link BATCH_SIZE_BOUNDS} plus one last bucket for
   * more than 256 (not cumulative). Their events add up to `consumedEvents`.
   */
  batchSizes: number[];
  producerClosed: boolean;
  consumerGone: boolean;
}

/**
 * Reads a ring's statistics without disturbing either side.
 *
 * @example
 * ```ts
 * readRingStats(buffer).depth; // 0 for an empty ring
 * ```
 */
export function readRingStats(buffer: SharedArrayBuffer): RingStats {
  const control = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
  const stats = new Float64Array(buffer, 0, RING_HEADER_BYTES / 8);
  const state = Atomics.load(control, STATE);
  const published = stats[PUBLISHED_EVENTS];
  const consumed = stats[CONSUMED_EVENTS];
  const droppedOldest = stats[DROPPED_OLDEST];
  return {
    capacityBytes: control[CAPACITY],
    usedBytes: (Atomics.load(control, HEAD) - Atomics.load(control, TAIL)) >>> 0,
    publishedEvents: published,
    consumedEvents: consumed,
    depth: Math.max(0, published - consumed - droppedOldest),
    stalls: stats[STALLS],
    stallNanos: stats[STALL_NANOS],
    onFull: FULL_RING_POLICIES[control[ON_FULL]],
    droppedNewest: stats[DROPPED_NEWEST],
    droppedOldest,
    droppedDisconnected: stats[DROPPED_DISCONNECTED],
    disconnected: (state & DISCONNECTED) !== 0,
    highWaterMark: stats[HIGH_WATER_MARK],
    batchSizes: Array.from(stats.subarray(BATCH_BUCKETS, BATCH_BUCKETS + LAST_BATCH_BUCKET + 1)),
    producerClosed: (state & PRODUCER_CLOSED) !== 0,
    consumerGone: (state & CONSUMER_GONE) !== 0,
  };
}

/**
 * Marks a ring's consumer as gone so its producer stops waiting for space (used by the supervisor when an
 * agent dies).
 */
export function markConsumerGone(buffer: SharedArrayBuffer): void {
  const control = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
  Atomics.or(control, STATE, CONSUMER_GONE);
  Atomics.store(control, PRODUCER_WAITING, 0);
  Atomics.notify(control, PRODUCER_WAITING);
}

/**
 * Marks a ring as closed on behalf of a producer that died, so its consumer can finish draining what was
 * published instead of waiting forever.
 */
export function markProducerClosed(buffer: SharedArrayBuffer): void {
  const control = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
  Atomics.or(control, STATE, PRODUCER_CLOSED);
}

/** Typed views shared by both ends. */
class RingViews {
  readonly control: Int32Array;
  readonly stats: Float64Array;
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  readonly halfWords: Uint16Array;
  readonly doubles: Float64Array;
  readonly capacity: number;
  readonly mask: number;
  readonly feedId: number;
  readonly onFull: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.control = new Int32Array(buffer, 0, RING_HEADER_BYTES / 4);
    this.stats = new Float64Array(buffer, 0, RING_HEADER_BYTES / 8);
    this.capacity = this.control[CAPACITY];
    this.mask = this.capacity - 1;
    this.feedId = this.control[FEED_ID];
    this.onFull = this.control[ON_FULL];
    this.bytes = new Uint8Array(buffer, RING_HEADER_BYTES, this.capacity);
    this.words = new Uint32Array(buffer, RING_HEADER_BYTES, this.capacity / 4);
    this.halfWords = new Uint16Array(buffer, RING_HEADER_BYTES, this.capacity / 2);
    this.doubles = new Float64Array(buffer, RING_HEADER_BYTES, this.capacity / 8);
  }
}

/**
 * What a producer does while its ring is full. Implementations spin, park, or run other work; they return
 * when it is worth trying again, or throw to give up (the event is then not written and the caller learns
 * why).
 */
export interface Backpressure {
  /** @param stalledSinceMs `performance.now()` when this stall began. */
  awaitSpace(ring: RingProducer, payloadLength: number, stalledSinceMs: number): void;
  /**
   * Called when a producer on this thread writes its first event since its last flush, so the thread's
   * duty cycle comes round to flush it even if the agent is parked (a handler sending from a timer).
   */
  unflushedWrite?(): void;
}

/** Thrown when a ring's consumer is gone, so waiting for space can never succeed. */
export class ConsumerGoneError extends Error {
  constructor(feedId: number) {
    super(`the consumer of ring for feed #${feedId} is gone`);
    this.name = "ConsumerGoneError";
  }
}

const align8 = (n: number) => (n + 7) & ~7;

/**
 * The producing end of a ring. Exactly one exists per ring, on one thread.
 *
 * @example
 * ```ts
 * const producer = new RingProducer(buffer, consumerWake);
 * const at = producer.claim(payload.length);
 * if (at >= 0) {
 *   producer.bytes.set(payload, at);
 *   producer.commit(codecId, sequence, nowNanos, payload.length);
 *   producer.publish();
 * }
 * ```
 */
export class RingProducer {
  /** The ring's data; write payloads here at the offset {@link RingProducer.claim} returned. */
  readonly bytes: Uint8Array;
  /** Largest payload written as one record; larger payloads are fragmented by {@link RingProducer.write}. */
  readonly maxRecordPayload: number;
  /** Sleeper side of the "space freed" signal (the consumer is the waker). */
  readonly spaceSignal: WakeSignal;
  /** The ring's policy is `block`: a full ring is waited for, never dropped from. */
  blocks: boolean;
  /**
   * Events earlier producers of this ring (whose agent died: a supervised restart) published or had
   * dropped; the ring's consumed, durable and dropped counts include them. 0 for a new ring.
   */
  readonly inheritedEvents: number;
  private readonly ring: RingViews;
  /** The {@link FullRingPolicy} code this producer applies (the header's, unless changed since). */
  private policy: number;
  private head: number;
  private publishedHead: number;
  private tailCache: number;
  private claimIndex = -1;
  private claimLength = 0;
  private eventsCommitted = 0;
  private stallCount: number;
  private stallNanosTotal: number;
  /**
   * Called each time this producer finds the ring full (a stall, or an event its policy drops), on the
   * slow path only: the owner logs slow-consumer warnings from it.
   */
  fullListener: (() => void) | undefined;

  constructor(readonly buffer: SharedArrayBuffer, private readonly consumerWake: WakeSignal) {
    this.ring = new RingViews(buffer);
    this.bytes = this.ring.bytes;
    this.maxRecordPayload = this.ring.capacity / 4 - RECORD_HEADER_BYTES;
    this.head = Atomics.load(this.ring.control, HEAD) >>> 0;
    this.publishedHead = this.head;
    this.tailCache = Atomics.load(this.ring.control, TAIL) >>> 0;
    // A producer replacing one whose agent died (a supervised restart) counts on from its predecessor.
    this.eventsCommitted = this.ring.stats[PUBLISHED_EVENTS];
    this.inheritedEvents = this.eventsCommitted + this.ring.stats[DROPPED_NEWEST] + this.ring.stats[DROPPED_DISCONNECTED];
    this.stallCount = this.ring.stats[STALLS];
    this.stallNanosTotal = this.ring.stats[STALL_NANOS];
    this.spaceSignal = new WakeSignal(this.ring.control, PRODUCER_WAITING);
    this.policy = this.ring.onFull;
    this.blocks = this.policy === BLOCK;
  }

  /** Feed id stamped into this ring's records. */
  get feedId(): number {
    return this.ring.feedId;
  }

  /** The ring's {@link FullRingPolicy}. */
  get onFull(): FullRingPolicy {
    return FULL_RING_POLICIES[this.policy];
  }

  /**
   * Applies `policy` from the next full ring on, and records it in the header (for statistics and for a
   * producer or consumer built later over this ring). Call it on the producer's thread, between writes, so
   * no claim is ever decided under two policies.
   *
   * Ordering with the consumer: only `dropOldest` lets the producer move TAIL, and a consumer must take
   * records one by one with an exchange on TAIL ({@link RingConsumer.takeEachRecord}) before the producer
   * discards any. So a change to `dropOldest` is made on the consumer first and on the producer only once
   * the consumer answered, and a change away from it on the producer first: the request/reply chain
   * between the two threads orders the switches (each side's atomics before its reply happen-before the
   * other side's next step), and TAIL itself is always read and written with atomics on both sides.
   */
  changePolicy(policy: FullRingPolicy): void {
    this.policy = FULL_RING_POLICIES.indexOf(policy);
    this.blocks = this.policy === BLOCK;
    Atomics.store(this.ring.control, ON_FULL, this.policy);
  }

  /**
   * Claims room for one record; returns the offset in {@link RingProducer.bytes} where its payload goes, or
   * -1 when the ring is full right now. Follow with {@link RingProducer.commit}.
   */
  claim(payloadLength: number): number {
    const recordLength = align8(RECORD_HEADER_BYTES + payloadLength);
    let index = this.head & this.ring.mask;
    const toEnd = this.ring.capacity - index;
    const needed = recordLength <= toEnd ? recordLength : toEnd + recordLength;
    if (!this.hasRoom(needed)) return -1;
    if (recordLength > toEnd) {
      this.ring.bytes[index + 4] = KIND_PADDING;
      this.head = (this.head + toEnd) >>> 0;
      index = 0;
    }
    this.claimIndex = index;
    this.claimLength = recordLength;
    return index + RECORD_HEADER_BYTES;
  }

  /** Writes the header of the claimed record. It becomes visible at the next {@link RingProducer.publish}. */
  commit(codecId: number, sequence: number, publishedNanos: number, payloadLength: number, kind = KIND_DATA): void {
    this.writeHeader(this.claimIndex, payloadLength, kind, codecId, sequence, publishedNanos);
    this.head = (this.head + this.claimLength) >>> 0;
    this.claimIndex = -1;
    if (kind === KIND_DATA || kind === KIND_FRAGMENT_LAST) this.eventsCommitted++;
  }

  /**
   * Claims room for a batch record of up to `count` events of `itemLength` bytes each (a multiple of 8);
   * returns how many fit now (0 when not one does), the first at {@link RingProducer.batchOffset} and
   * event `i` at `batchOffset + i * itemLength` in {@link RingProducer.bytes}. A batch never wraps: when
   * fewer than asked fit before the end of the data, it holds what fits there (or, if not one does, starts
   * at offset 0 behind a padding record). Follow with {@link RingProducer.commitBatch}.
   */
  claimBatch(itemLength: number, count: number): number {
    const ring = this.ring;
    count = Math.min(count, this.maxBatchEvents(itemLength));
    let index = this.head & ring.mask;
    let toEnd = ring.capacity - index;
    const overhead = RECORD_HEADER_BYTES + BATCH_PREFIX_BYTES;
    if (toEnd < overhead + itemLength) {
      // Not one event fits before the end: pad to it and start again at offset 0.
      if (!this.hasRoom(toEnd + overhead + itemLength)) return 0;
      ring.bytes[index + 4] = KIND_PADDING;
      this.head = (this.head + toEnd) >>> 0;
      index = 0;
      toEnd = ring.capacity;
    }
    const free = ring.capacity - ((this.head - this.tailCache) >>> 0);
    let fits = Math.min(count, Math.floor((Math.min(free, toEnd) - overhead) / itemLength));
    if (fits < count) {
      this.hasRoom(overhead + count * itemLength); // re-reads TAIL: the consumer may have freed more
      const refreshed = ring.capacity - ((this.head - this.tailCache) >>> 0);
      fits = Math.min(count, Math.floor((Math.min(refreshed, toEnd) - overhead) / itemLength));
    }
    if (fits <= 0) return 0;
    this.claimIndex = index;
    this.batchOffset = index + overhead;
    return fits;
  }

  /** Where the first event of the batch claimed last goes in {@link RingProducer.bytes}. */
  batchOffset = -1;

  /** The most events of `itemLength` bytes one batch record can hold in this ring. */
  maxBatchEvents(itemLength: number): number {
    return Math.floor((this.maxRecordPayload - BATCH_PREFIX_BYTES) / itemLength);
  }

  /** The payload of a batch record of `count` events of `itemLength` bytes (as many as one record holds). */
  batchPayloadBytes(itemLength: number, count: number): number {
    return BATCH_PREFIX_BYTES + Math.min(count, this.maxBatchEvents(itemLength)) * itemLength;
  }

  /**
   * Writes the header of the claimed batch, holding its first `count` events (at most the number claimed;
   * 0 abandons it). They become visible at the next {@link RingProducer.publish}.
   */
  commitBatch(codecId: number, firstSequence: number, publishedNanos: number, itemLength: number, count: number): void {
    const index = this.claimIndex;
    this.claimIndex = -1;
    if (count === 0) return;
    const ring = this.ring;
    const length = BATCH_PREFIX_BYTES + count * itemLength;
    this.writeHeader(index, length, KIND_BATCH, codecId, firstSequence, publishedNanos);
    ring.words[(index + RECORD_HEADER_BYTES) >> 2] = count;
    ring.words[(index + RECORD_HEADER_BYTES + 4) >> 2] = itemLength;
    this.head = (this.head + align8(RECORD_HEADER_BYTES + length)) >>> 0;
    this.eventsCommitted += count;
  }

  /** Writes the header of the record at `index` (plain stores: visible at the next publish). */
  private writeHeader(index: number, payloadLength: number, kind: number, codecId: number, sequence: number, publishedNanos: number): void {
    const ring = this.ring;
    ring.words[index >> 2] = payloadLength;
    ring.bytes[index + 4] = kind;
    ring.bytes[index + 5] = codecId;
    ring.halfWords[(index + 6) >> 1] = ring.feedId;
    ring.doubles[(index >> 3) + 1] = sequence;
    ring.doubles[(index >> 3) + 2] = publishedNanos;
  }

  /** Makes every committed record visible to the consumer and wakes it if it sleeps. */
  publish(): void {
    if (this.head === this.publishedHead) return;
    this.publishedHead = this.head;
    this.ring.stats[PUBLISHED_EVENTS] = this.eventsCommitted;
    Atomics.store(this.ring.control, HEAD, this.head | 0);
    this.consumerWake.signal();
  }

  /**
   * Copies one encoded event into the ring (fragmenting it if large), waiting through `backpressure` while
   * the ring is full. Publishes only when it has to wait; call {@link RingProducer.publish} afterwards.
   * Returns false when the ring's policy dropped the event instead (the ring counts it by reason).
   */
  write(codecId: number, sequence: number, publishedNanos: number, source: Uint8Array, length: number, backpressure: Backpressure): boolean {
    if (length <= this.maxRecordPayload) {
      const at = this.claimOrWait(length, backpressure);
      if (at < 0) return false;
      copyBytes(source, 0, length, this.bytes, at);
      this.commit(codecId, sequence, publishedNanos, length);
      return true;
    }
    // A lossy policy decides for the whole event up front, so it is never written in part.
    if (!this.blocks) {
      const needed = this.fragmentedBytes(length);
      if (!this.hasRoom(needed) && !this.whenFull(needed)) return false;
    }
    for (let offset = 0; offset < length; offset += this.maxRecordPayload) {
      const chunk = Math.min(this.maxRecordPayload, length - offset);
      const kind = offset === 0 ? KIND_FRAGMENT_FIRST : offset + chunk === length ? KIND_FRAGMENT_LAST : KIND_FRAGMENT_MIDDLE;
      const at = this.claimOrWait(chunk, backpressure);
      this.bytes.set(source.subarray(offset, offset + chunk), at);
      this.commit(codecId, sequence, publishedNanos, chunk, kind);
    }
    return true;
  }

  /** Whether `payloadLength` bytes would fit now (re-reading the consumer's position only if needed). */
  hasRoomFor(payloadLength: number): boolean {
    const recordLength = align8(RECORD_HEADER_BYTES + payloadLength);
    const toEnd = this.ring.capacity - (this.head & this.ring.mask);
    return this.hasRoom(recordLength <= toEnd ? recordLength : toEnd + recordLength);
  }

  /** Events the consumer has taken so far (a plain read of the consumer's counter: may be a moment old). */
  get consumedEvents(): number {
    return this.ring.stats[CONSUMED_EVENTS];
  }

  /**
   * Events whose effects the consumer's agent has declared written (see {@link RingConsumer.markDurable});
   * a plain read of the consumer's slot, so it may be a moment old, never ahead.
   */
  get durableEvents(): number {
    return this.ring.stats[DURABLE_EVENTS];
  }

  /** True once the supervisor has marked the consumer gone. */
  get consumerGone(): boolean {
    return (Atomics.load(this.ring.control, STATE) & CONSUMER_GONE) !== 0;
  }

  /** True once this producer detached the subscriber (`disconnect` policy). */
  get disconnected(): boolean {
    return (Atomics.load(this.ring.control, STATE) & DISCONNECTED) !== 0;
  }

  /** Counts an event not written because the subscriber is disconnected. */
  countDisconnectedDrop(): void {
    this.ring.stats[DROPPED_DISCONNECTED]++;
  }

  /** Events that left the producer's hands for good: consumed, or dropped for any reason (plain reads: may be a moment old). */
  get settledEvents(): number {
    return this.ring.stats[CONSUMED_EVENTS] + this.droppedEvents;
  }

  /** Events its policy dropped, for any reason: they will never be consumed (plain reads: may be a moment old). */
  get droppedEvents(): number {
    const stats = this.ring.stats;
    return stats[DROPPED_NEWEST] + stats[DROPPED_OLDEST] + stats[DROPPED_DISCONNECTED];
  }

  /** Publishes what is committed and tells the consumer nothing more will come. */
  close(): void {
    this.publish();
    Atomics.or(this.ring.control, STATE, PRODUCER_CLOSED);
    this.consumerWake.signal();
  }

  /**
   * Waits through `backpressure` until a record of `payloadLength` bytes fits, counting the stall. A
   * producer writing one event to several rings waits for room in all of them first, so a failed wait
   * leaves the event written nowhere rather than to some.
   */
  awaitRoom(payloadLength: number, backpressure: Backpressure): void {
    // Only `block` waits; the other policies decide when the event is written.
    if (!this.hasRoomFor(payloadLength) && this.blocks) this.stallForRoom(payloadLength, backpressure);
  }

  // The slow paths live in their own methods: a closure in the hot method would make the engine allocate
  // a scope for its variables on every call, stall or not.
  private claimOrWait(length: number, backpressure: Backpressure): number {
    const at = this.claim(length);
    return at >= 0 ? at : this.claimWhenFull(length, backpressure);
  }

  /** The ring is full: wait (`block`) or apply the ring's policy; -1 when the event is not written. */
  private claimWhenFull(length: number, backpressure: Backpressure): number {
    if (this.blocks) return this.claimAfterStall(length, backpressure);
    const recordLength = align8(RECORD_HEADER_BYTES + length);
    const toEnd = this.ring.capacity - (this.head & this.ring.mask);
    return this.whenFull(recordLength <= toEnd ? recordLength : toEnd + recordLength) ? this.claim(length) : -1;
  }

  /**
   * A lossy policy with `needed` bytes not free: makes room by discarding the oldest events
   * (`dropOldest`), or detaches the subscriber (`disconnect`), or drops the new event (`dropNewest`, and
   * any event larger than the whole ring). True when the event fits now.
   */
  private whenFull(needed: number): boolean {
    this.publish(); // as a stall does: what is committed goes to the consumer now (and shows in the depth)
    this.fullListener?.();
    const policy = this.policy;
    if (needed <= this.ring.capacity) {
      if (policy === DROP_OLDEST) return this.discardOldest(needed);
      if (policy === DISCONNECT) {
        Atomics.or(this.ring.control, STATE, DISCONNECTED);
        this.ring.stats[DROPPED_DISCONNECTED]++;
        return false;
      }
    }
    this.ring.stats[DROPPED_NEWEST]++;
    return false;
  }

  /**
   * Discards whole events from TAIL until `needed` bytes are free (see the module comment for why the
   * exchange on TAIL makes this safe against a consumer taking the same records). Only published records
   * are discarded, so TAIL never passes HEAD.
   */
  private discardOldest(needed: number): boolean {
    this.publish();
    const ring = this.ring;
    const head = this.head;
    for (;;) {
      const tail = Atomics.load(ring.control, TAIL) >>> 0;
      let next = tail;
      let events = 0;
      while (next !== head && (ring.capacity - ((head - next) >>> 0) < needed || this.insideEvent(next, head))) {
        const index = next & ring.mask;
        const kind = ring.bytes[index + 4];
        if (kind === KIND_PADDING) {
          next = (next + ring.capacity - index) >>> 0;
          continue;
        }
        next = (next + align8(RECORD_HEADER_BYTES + ring.words[index >> 2])) >>> 0;
        if (kind === KIND_DATA || kind === KIND_FRAGMENT_LAST) events++;
        else if (kind === KIND_BATCH) events += ring.words[(index + RECORD_HEADER_BYTES) >> 2];
      }
      if (Atomics.compareExchange(ring.control, TAIL, tail | 0, next | 0) === (tail | 0)) {
        this.tailCache = next;
        ring.stats[DROPPED_OLDEST] += events;
        return ring.capacity - ((head - next) >>> 0) >= needed;
      }
      // The consumer took records meanwhile: count again from where it is now.
    }
  }

  /** Whether the record at `position` continues a fragmented event (discarding stops only between events). */
  private insideEvent(position: number, head: number): boolean {
    let index = position & this.ring.mask;
    if (this.ring.bytes[index + 4] === KIND_PADDING) {
      if (((position + this.ring.capacity - index) >>> 0) === head) return false;
      index = 0;
    }
    const kind = this.ring.bytes[index + 4];
    return kind === KIND_FRAGMENT_MIDDLE || kind === KIND_FRAGMENT_LAST;
  }

  /** Bytes a fragmented event of `length` bytes needs at most: its records plus one padding record. */
  private fragmentedBytes(length: number): number {
    const fullRecords = Math.floor(length / this.maxRecordPayload);
    const rest = length - fullRecords * this.maxRecordPayload;
    const recordBytes = this.maxRecordPayload + RECORD_HEADER_BYTES;
    return fullRecords * recordBytes + (rest > 0 ? align8(RECORD_HEADER_BYTES + rest) : 0) + recordBytes;
  }

  private claimAfterStall(length: number, backpressure: Backpressure): number {
    let at = -1;
    this.stallUntil(() => (at = this.claim(length)) >= 0, length, backpressure);
    return at;
  }

  private stallForRoom(length: number, backpressure: Backpressure): void {
    this.stallUntil(() => this.hasRoomFor(length), length, backpressure);
  }

  /** Publishes, then waits through `backpressure` until `ready()`; counts the stall and its duration. */
  private stallUntil(ready: () => boolean, length: number, backpressure: Backpressure): void {
    const stalledSince = performance.now();
    this.fullListener?.();
    this.stallCount++;
    this.ring.stats[STALLS] = this.stallCount;
    try {
      for (;;) {
        this.publish();
        if (this.consumerGone) throw new ConsumerGoneError(this.ring.feedId);
        backpressure.awaitSpace(this, length, stalledSince);
        if (ready()) return;
      }
    } finally {
      this.stallNanosTotal += (performance.now() - stalledSince) * 1e6;
      this.ring.stats[STALL_NANOS] = this.stallNanosTotal;
    }
  }

  private hasRoom(needed: number): boolean {
    if (this.ring.capacity - ((this.head - this.tailCache) >>> 0) >= needed) return true;
    this.tailCache = Atomics.load(this.ring.control, TAIL) >>> 0;
    return this.ring.capacity - ((this.head - this.tailCache) >>> 0) >= needed;
  }
}

/**
 * Receives one record: the payload is `bytes[offset, offset + length)` and is valid only during the call.
 */
export type RecordHandler = (
  bytes: Uint8Array,
  offset: number,
  length: number,
  codecId: number,
  sequence: number,
  publishedNanos: number,
) => void;

/**
 * Receives the `count` fixed-length events of one batch record at once: event `i` is
 * `bytes[at + i * itemLength, at + (i + 1) * itemLength)` with sequence `first + i`; all are valid only
 * during the call. A consumer that takes it decodes with one codec lookup per batch instead of per event.
 */
export type BatchHandler = (
  bytes: Uint8Array,
  at: number,
  count: number,
  itemLength: number,
  codecId: number,
  first: number,
  publishedNanos: number,
) => void;

/**
 * Hands the events of a batch record to a {@link RecordHandler} one by one (what {@link RingConsumer.poll}
 * does without a {@link BatchHandler}).
 */
function deliverEach(handler: RecordHandler, bytes: Uint8Array, at: number, count: number, itemLength: number, codecId: number, first: number, publishedNanos: number): void {
  for (let i = 0; i < count; i++, at += itemLength) handler(bytes, at, itemLength, codecId, first + i, publishedNanos);
}

/**
 * The consuming end of a ring, owned by the subscribing agent.
 *
 * @example
 * ```ts
 * const consumer = new RingConsumer(buffer);
 * consumer.poll((bytes, offset, length, codec, sequence) => {
 *   // decode bytes[offset, offset + length) here
 * }, 256);
 * ```
 */
export class RingConsumer {
  private readonly ring: RingViews;
  private readonly producerSpace: WakeSignal;
  private tail: number;
  private headCache: number;
  private consumed: number;
  private highWaterMark: number;
  private readonly assembly = new ByteBuffer(4096);
  /** Bytes of the fragmented event being reassembled; -1 when none is. */
  private assembled = -1;
  /** A `dropOldest` ring: the producer may move TAIL too, so records are copied out and taken one by one. */
  private sharedTail: boolean;
  /** Where a record of a `dropOldest` ring is copied before it is delivered. */
  private copied: ByteBuffer | undefined;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.ring = new RingViews(buffer);
    this.sharedTail = this.ring.onFull === DROP_OLDEST;
    this.copied = this.sharedTail ? new ByteBuffer(4096) : undefined;
    this.tail = Atomics.load(this.ring.control, TAIL) >>> 0;
    this.headCache = this.tail;
    this.consumed = this.ring.stats[CONSUMED_EVENTS];
    this.highWaterMark = this.ring.stats[HIGH_WATER_MARK];
    this.producerSpace = new WakeSignal(this.ring.control, PRODUCER_WAITING);
  }

  /** Feed id stamped into this ring's records. */
  get feedId(): number {
    return this.ring.feedId;
  }

  /**
   * Switches between reading a `dropOldest` ring (`true`: copy each record out, take it with an exchange
   * on TAIL) and the batched read of the other policies. Call it on the consumer's thread between polls;
   * see {@link RingProducer.changePolicy} for the order the two ends switch in.
   */
  takeEachRecord(shared: boolean): void {
    if (shared === this.sharedTail) return;
    this.copied ??= new ByteBuffer(4096);
    this.sharedTail = shared;
    // Leaving: the producer may have discarded records since this consumer last cached TAIL.
    this.tail = this.headCache = Atomics.load(this.ring.control, TAIL) >>> 0;
  }

  /**
   * Delivers up to `limit` events to `handler`, then releases their space in one TAIL store and wakes a
   * producer waiting for space. Returns the number of events delivered. The events of a batch record go
   * to `batchHandler` all at once if given, else to `handler` one by one; a batch is delivered whole, so
   * a poll may deliver more than `limit`.
   */
  poll(handler: RecordHandler, limit: number, batchHandler?: BatchHandler): number {
    if (this.sharedTail) return this.pollTakingEach(handler, limit, batchHandler);
    let tail = this.tail;
    let head = this.headCache;
    if (tail === head) {
      head = this.headCache = Atomics.load(this.ring.control, HEAD) >>> 0;
      if (tail === head) return 0;
      this.noteBacklog(this.consumed);
    }
    const ring = this.ring;
    let delivered = 0;
    try {
      while (delivered < limit) {
        if (tail === head) {
          head = this.headCache = Atomics.load(ring.control, HEAD) >>> 0;
          if (tail === head) break;
          this.noteBacklog(this.consumed + delivered);
        }
        const index = tail & ring.mask;
        const kind = ring.bytes[index + 4];
        if (kind === KIND_PADDING) {
          tail = (tail + ring.capacity - index) >>> 0;
          continue;
        }
        const length = ring.words[index >> 2];
        // Advance first: a throwing handler must not make the consumer re-read the same record forever.
        tail = (tail + align8(RECORD_HEADER_BYTES + length)) >>> 0;
        const payload = index + RECORD_HEADER_BYTES;
        const codecId = ring.bytes[index + 5];
        const sequence = ring.doubles[(index >> 3) + 1];
        const publishedNanos = ring.doubles[(index >> 3) + 2];
        if (kind === KIND_DATA) {
          delivered++;
          handler(ring.bytes, payload, length, codecId, sequence, publishedNanos);
        } else if (kind === KIND_BATCH) {
          const count = ring.words[payload >> 2];
          delivered += count;
          const itemLength = ring.words[(payload >> 2) + 1];
          if (batchHandler) batchHandler(ring.bytes, payload + BATCH_PREFIX_BYTES, count, itemLength, codecId, sequence, publishedNanos);
          else deliverEach(handler, ring.bytes, payload + BATCH_PREFIX_BYTES, count, itemLength, codecId, sequence, publishedNanos);
        } else {
          if (kind === KIND_FRAGMENT_FIRST) this.assembled = 0;
          else if (this.assembled < 0) {
            // Its first fragments were taken by the consumer this one replaces (an agent that died in the
            // middle of the event): it cannot be rebuilt, so it is skipped whole rather than delivered cut.
            if (kind === KIND_FRAGMENT_LAST) this.consumed++;
            continue;
          }
          this.assembly.ensure(this.assembled + length);
          this.assembly.bytes.set(ring.bytes.subarray(payload, payload + length), this.assembled);
          this.assembled += length;
          if (kind === KIND_FRAGMENT_LAST) {
            const assembled = this.assembled;
            this.assembled = -1;
            delivered++;
            handler(this.assembly.bytes, 0, assembled, codecId, sequence, publishedNanos);
          }
        }
      }
    } finally {
      this.tail = tail;
      this.consumed += delivered;
      ring.stats[CONSUMED_EVENTS] = this.consumed;
      if (delivered > 0) this.countBatch(delivered);
      Atomics.store(ring.control, TAIL, tail | 0);
      this.producerSpace.signal();
    }
    return delivered;
  }

  /**
   * {@link RingConsumer.poll} for a `dropOldest` ring: each record is copied out, then taken with an
   * exchange on TAIL (failing if the producer discarded it meanwhile), then delivered from the copy, so
   * no ring space is held while the handler runs. Costs a copy and an exchange per event.
   */
  private pollTakingEach(handler: RecordHandler, limit: number, batchHandler: BatchHandler | undefined): number {
    const ring = this.ring;
    const copied = this.copied!;
    const maxPayload = ring.capacity / 4 - RECORD_HEADER_BYTES;
    let delivered = 0;
    try {
      while (delivered < limit) {
        const tail = Atomics.load(ring.control, TAIL) >>> 0;
        if (((this.headCache - tail) | 0) <= 0) {
          this.headCache = Atomics.load(ring.control, HEAD) >>> 0;
          if (this.headCache === tail) break;
          this.noteBacklog(this.consumed + delivered);
        }
        const index = tail & ring.mask;
        const kind = ring.bytes[index + 4];
        if (kind === KIND_PADDING) {
          Atomics.compareExchange(ring.control, TAIL, tail | 0, (tail + ring.capacity - index) | 0);
          continue;
        }
        const length = ring.words[index >> 2];
        if (length > maxPayload) continue; // overwritten after a discard: TAIL has moved on, read it again
        const next = (tail + align8(RECORD_HEADER_BYTES + length)) | 0;
        if (this.assembled < 0 && kind !== KIND_DATA && kind !== KIND_BATCH && kind !== KIND_FRAGMENT_FIRST) {
          // The rest of an event whose first fragments the consumer this one replaces took: skipped whole (see poll).
          if (Atomics.compareExchange(ring.control, TAIL, tail | 0, next) === (tail | 0) && kind === KIND_FRAGMENT_LAST) this.consumed++;
          continue;
        }
        const codecId = ring.bytes[index + 5];
        const sequence = ring.doubles[(index >> 3) + 1];
        const publishedNanos = ring.doubles[(index >> 3) + 2];
        // Read before the exchange, like the header: valid only if the exchange below succeeds.
        const batchCount = kind === KIND_BATCH ? ring.words[(index + RECORD_HEADER_BYTES) >> 2] : 0;
        const batchItemLength = kind === KIND_BATCH ? ring.words[(index + RECORD_HEADER_BYTES + 4) >> 2] : 0;
        const whole = kind === KIND_DATA || kind === KIND_BATCH;
        const into = whole ? copied : this.assembly;
        const at = whole || kind === KIND_FRAGMENT_FIRST ? 0 : this.assembled;
        into.ensure(at + length);
        const payload = index + RECORD_HEADER_BYTES;
        copyBytes(ring.bytes, payload, length, into.bytes, at);
        if (Atomics.compareExchange(ring.control, TAIL, tail | 0, next) !== (tail | 0)) continue; // discarded meanwhile
        if (kind === KIND_DATA) {
          delivered++;
          handler(copied.bytes, 0, length, codecId, sequence, publishedNanos);
          continue;
        }
        if (kind === KIND_BATCH) {
          delivered += batchCount;
          if (batchHandler) batchHandler(copied.bytes, BATCH_PREFIX_BYTES, batchCount, batchItemLength, codecId, sequence, publishedNanos);
          else deliverEach(handler, copied.bytes, BATCH_PREFIX_BYTES, batchCount, batchItemLength, codecId, sequence, publishedNanos);
          continue;
        }
        this.assembled = at + length;
        if (kind === KIND_FRAGMENT_LAST) {
          const assembled = this.assembled;
          this.assembled = -1;
          delivered++;
          handler(this.assembly.bytes, 0, assembled, codecId, sequence, publishedNanos);
        }
      }
    } finally {
      this.consumed += delivered;
      ring.stats[CONSUMED_EVENTS] = this.consumed;
      if (delivered > 0) this.countBatch(delivered);
      this.tail = Atomics.load(ring.control, TAIL) >>> 0;
      this.producerSpace.signal();
    }
    return delivered;
  }

  // The statistics live in methods of their own: written inline in poll(), they made JavaScriptCore's
  // code for it measurably slower at 64 events a poll (bench/results/ring-statistics.md).

  /**
   * Records the backlog as the high-water mark if it is the deepest yet. Called only right after HEAD
   * was re-read, so the producer's line (which holds its event count too) is already in this core's
   * cache: reading it at other times costs a cache miss whenever the producer has written since.
   */
  private noteBacklog(consumedSoFar: number): void {
    const stats = this.ring.stats;
    // The producer stores its event count before HEAD, so it is at least what the HEAD just read shows.
    const backlog = stats[PUBLISHED_EVENTS] - consumedSoFar;
    if (backlog > this.highWaterMark) stats[HIGH_WATER_MARK] = this.highWaterMark = backlog;
  }

  /** Counts a poll that took `delivered` (> 0) events: bucket ceil(log2(delivered)), the first bound at least it. */
  private countBatch(delivered: number): void {
    this.ring.stats[BATCH_BUCKETS + Math.min(32 - Math.clz32(delivered - 1), LAST_BATCH_BUCKET)]++;
  }

  /** Events taken so far. */
  get consumedEvents(): number {
    return this.consumed;
  }

  /**
   * Declares the first `events` events of this ring durable: everything their consumer did with them
   * has been written (a sink flushed them; a handler's sink outputs for them were written). Only the
   * consumer calls it, after that write returned; the producer reads it as {@link RingProducer.durableEvents}.
   */
  markDurable(events: number): void {
    this.ring.stats[DURABLE_EVENTS] = events;
  }

  /** True when published records are waiting (re-reads HEAD). */
  hasPending(): boolean {
    return (Atomics.load(this.ring.control, HEAD) >>> 0) !== this.position();
  }

  /** Where the consumer is: its own TAIL, or for a `dropOldest` ring the shared word (the producer may have moved it). */
  private position(): number {
    return this.sharedTail ? Atomics.load(this.ring.control, TAIL) >>> 0 : this.tail;
  }

  /** True when the producer closed the ring and every record has been consumed. */
  isDrained(): boolean {
    // STATE before HEAD: a producer sets CLOSED after its last HEAD store, so HEAD read afterwards is final.
    const closed = (Atomics.load(this.ring.control, STATE) & PRODUCER_CLOSED) !== 0;
    return closed && (Atomics.load(this.ring.control, HEAD) >>> 0) === this.position();
  }
}
