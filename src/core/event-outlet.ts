/**
 * The sending side shared by feed publishers, sink writers and pipe writers: encodes each value once and
 * writes it, in order, to the ring of every target. The rules that keep sending safe:
 *
 * - **All or nothing.** Before writing an event to several rings it waits for room in all of them, so a
 *   wait that gives up (an exception from the backpressure policy) leaves the event written nowhere,
 *   and the caller knows it was not sent.
 * - **No interleaving.** While a send waits for ring space, the thread may run other duty cycles
 *   (caller-runs on the supervisor's thread), which may send on this same outlet. Such a nested send is
 *   encoded into a copy and queued behind the one in progress, never written into the middle of it.
 * - **Holding.** While held (a sink writer before its ring exists, a feed caching before the server has
 *   started), sends are encoded (so a bad value fails at once) and queued, in order, until release.
 * - **One timestamp per batch.** Events sent between two flushes (one duty cycle) share the publish time
 *   read when the first of them was sent: a clock read costs 60–180 ns on this class of machine, more
 *   than the rest of a hop, and the batch becomes visible to consumers at once anyway.
 * - **Full rings.** A ring whose policy is not `block` may refuse an event (dropped newest, or its
 *   subscriber disconnected); the event still goes to every other target and counts as written. A
 *   disconnected target is skipped from then on, each skipped event counted in its ring (not through
 *   the `dropped` callback, which counts deliveries to consumers that are gone).
 * - **Sequence = write order.** Sequence numbers are assigned in the order events are written, without
 *   gaps, so "the N-th written event" and "sequence N" are the same thing; {@link EventOutlet.deliveredSequence}
 *   relies on it.
 *
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { Codec } from "../transport/codec.ts";
import { codecById } from "../transport/codecs.ts";
import { type Backpressure, ConsumerGoneError, type RingProducer } from "../transport/ring.ts";
import { TRACED_CODEC_ID } from "../transport/traced-record.ts";
import { EventEncoder } from "./event-encoder.ts";

interface Target {
  ring: RingProducer;
  name: string;
  gone: boolean;
  /** Gone because its ring's `disconnect` policy detached it (not because its consumer died). */
  disconnected: boolean;
  /**
   * This outlet's events written before the target was added, less the events earlier producers put
   * through its ring: the outlet's event N is the ring's event N - writtenBefore, whatever the ring's
   * counts started from (a restarted agent's writer counts on from its dead predecessor's ring).
   */
  writtenBefore: number;
}

/**
 * Told when a target's ring is full, on the slow path only (warnings), and when a target is disconnected.
 *
 * @example
 * ```ts
 * outlet.watchFullRings({ full: (agent, ring) => warn(agent, ring.onFull), disconnected: (agent) => log(agent) });
 * ```
 */
export interface FullRingListener {
  full(target: string, ring: RingProducer): void;
  disconnected(target: string, ring: RingProducer): void;
}

interface Queued {
  codecId: number;
  sequence: number;
  publishedNanos: number;
  bytes: Uint8Array;
}

/**
 * @example
 * ```ts
 * const outlet = new EventOutlet(`sink "out"`, clock, backpressure, () => dropped++);
 * outlet.hold();
 * outlet.send({ total: 3 });            // queued: no ring yet
 * outlet.addTarget(ring, "supervisor");
 * outlet.release();                     // the queued value is written now
 * outlet.flush();
 * ```
 */
export class EventOutlet {
  private readonly targets: Target[] = [];
  private readonly queue: Queued[] = [];
  private readonly encoder: EventEncoder;
  private readonly queueEncoder: EventEncoder;
  private sequence = 0;
  private written = 0;
  private sending = false;
  private held = false;
  private liveTargets = 0;
  /** Publish time of the current batch; -1 until its first event (see stamp). */
  private batchNanos = -1;
  /** The ring holding a claimed, not yet committed record (see claim). */
  private claimedRing: RingProducer | undefined;
  private fullRings: FullRingListener | undefined;

  /**
   * @param dropped called for each delivery abandoned because a target's consumer is gone
   * @param sharedSequence numbers events from a counter shared with other outlets (pipes with several
   *   writers) instead of this outlet's own; {@link EventOutlet.deliveredSequence} does not apply then
   */
  constructor(
    label: string,
    private readonly clock: Clock,
    private readonly backpressure: Backpressure,
    private readonly dropped: () => void,
    private readonly sharedSequence?: () => number,
  ) {
    this.encoder = new EventEncoder(label);
    this.queueEncoder = new EventEncoder(label);
  }

  /** Number of targets whose consumer is alive. */
  get targetCount(): number {
    return this.liveTargets;
  }

  /** Sequence number of the last event sent (written or queued). */
  get lastSequence(): number {
    return this.sequence;
  }

  /** Events waiting in the queue. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Every event up to this sequence number has been consumed from every live target's ring; 0 while
   * there has never been a target (nothing was consumed by anyone).
   */
  deliveredSequence(): number {
    return this.everywhereUpTo(false);
  }

  /**
   * Every event up to this sequence number has been declared durable by every live target's consumer
   * (see `RingConsumer.markDurable`); 0 while there has never been a target.
   */
  durableSequence(): number {
    return this.everywhereUpTo(true);
  }

  private everywhereUpTo(durable: boolean): number {
    let upTo = this.targets.length === 0 ? 0 : this.written;
    for (const target of this.targets) {
      if (!target.gone) upTo = Math.min(upTo, target.writtenBefore + (durable ? target.ring.durableEvents + target.ring.droppedEvents : target.ring.settledEvents));
    }
    return Math.max(0, upTo); // below 0 while the ring's consumer still works through a dead predecessor's events
  }

  /** Adds a target ring; it receives what is written from now on. */
  addTarget(ring: RingProducer, name: string): void {
    this.targets.push({ ring, name, gone: false, disconnected: false, writtenBefore: this.written - ring.inheritedEvents });
    this.liveTargets++;
    this.listenTo(ring, name);
  }

  /** Reports full rings and disconnected targets to `listener`, for the targets there are and those to come. */
  watchFullRings(listener: FullRingListener): void {
    this.fullRings = listener;
    for (const target of this.targets) this.listenTo(target.ring, target.name);
  }

  private listenTo(ring: RingProducer, name: string): void {
    const listener = this.fullRings;
    if (listener) ring.fullListener = () => listener.full(name, ring);
  }

  /**
   * Closes the ring to `name` and stops writing to it (its consumer no longer needs it): what was written
   * is published first, so the consumer drains it before it sees the end. False if there is no such target.
   */
  removeTarget(name: string): boolean {
    const index = this.targets.findIndex((target) => target.name === name);
    if (index < 0) return false;
    const [target] = this.targets.splice(index, 1);
    target.ring.close();
    if (!target.gone) this.liveTargets--;
    return true;
  }

  /** Queues sends from now on, until {@link EventOutlet.release}. */
  hold(): void {
    this.held = true;
  }

  /** Writes what was queued, in order, and sends directly again. */
  release(): void {
    this.held = false;
    if (!this.sending) this.guarded(() => this.sendQueued());
  }

  /**
   * Sends one value; returns its sequence number. Throws a CodecError (the value reached nobody) or
   * whatever the backpressure policy throws when it gives up (the value reached nobody either).
   */
  send(value: unknown): number;
  /**
   * With `wait: false`: sends only if every ring has room now; returns 0 (nothing sent) otherwise.
   * `codec` overrides the codec chosen by the value's type; a `traceparent` travels with the value (see
   * traced-record.ts).
   */
  send(value: unknown, wait: boolean, codec?: Codec, traceparent?: string): number;
  send(value: unknown, wait = true, codec?: Codec, traceparent?: string): number {
    if (this.sending || this.held) return this.enqueue(value, codec, traceparent);
    this.sending = true;
    try {
      this.sendQueued();
      const length = traceparent === undefined ? this.encoder.encode(value, codec) : this.encoder.encodeTraced(value, codec, traceparent);
      if (!wait && !this.roomEverywhere(length)) return 0;
      const sequence = this.nextSequence();
      try {
        this.writeToAll(this.encoder.codecId, sequence, this.stamp(), this.encoder.bytes, length);
      } catch (error) {
        if (!this.sharedSequence) this.sequence--; // written nowhere: the number goes to the next event
        throw error;
      }
      this.sendQueued();
      return sequence;
    } finally {
      this.sending = false;
    }
  }

  /**
   * Claims room for one record of `length` bytes directly in the ring, when this outlet has exactly one
   * live target, sends directly and the ring has room now; returns the offset in {@link EventOutlet.claimedBytes}
   * to write the payload at, or -1 (then encode and {@link EventOutlet.send} as usual). Follow a claim
   * with {@link EventOutlet.commitClaimed}; sends in between are queued behind it.
   */
  claim(length: number): number {
    if (this.sending || this.held || this.queue.length > 0 || this.targets.length !== 1 || this.liveTargets !== 1) return -1;
    const target = this.targets[0];
    const ring = target.ring;
    if (length > ring.maxRecordPayload) return -1;
    let at = ring.claim(length);
    if (at < 0 && this.waitedForRoom(target, length)) at = ring.claim(length);
    if (at < 0) return -1;
    this.claimedRing = ring;
    this.sending = true;
    return at;
  }

  /**
   * A claim found the target's ring full: if it blocks, waits for room for `payloadLength` bytes, as a
   * send would wait (falling back to encoding and sending instead would cost a copy, and for a batch a
   * header per event, just when the consumer is the bottleneck). True once there is room; false for a
   * lossy ring (the send path applies its policy) or a consumer gone (the send path counts the drop).
   */
  private waitedForRoom(target: Target, payloadLength: number): boolean {
    if (!target.ring.blocks) return false;
    this.sending = true; // sends made while it waits (caller-runs duty cycles) queue behind the claim
    try {
      target.ring.awaitRoom(payloadLength, this.backpressure);
      return true;
    } catch (error) {
      this.lose(target, error);
      return false;
    } finally {
      this.sending = false;
    }
  }

  /** The bytes of the ring the last successful {@link EventOutlet.claim} was made in. */
  get claimedBytes(): Uint8Array {
    return this.claimedRing!.bytes;
  }

  /** Commits the claimed record (visible at the next flush); returns its sequence number. */
  commitClaimed(codecId: number, length: number): number {
    const ring = this.claimedRing!;
    this.claimedRing = undefined;
    const sequence = this.nextSequence();
    ring.commit(codecId, sequence, this.stamp(), length);
    this.written++;
    this.sending = false;
    if (this.queue.length > 0) this.guarded(() => this.sendQueued());
    return sequence;
  }

  /**
   * Claims a batch record for up to `count` events of `itemLength` bytes directly in the ring, on the same
   * conditions as {@link EventOutlet.claim} (and not for a shared sequence: a batch's sequence numbers are
   * consecutive); returns how many were claimed, 0 when the caller must send them one by one instead. The
   * first goes at {@link EventOutlet.batchOffset} in {@link EventOutlet.claimedBytes}. Follow with
   * {@link EventOutlet.commitBatch}.
   */
  claimBatch(itemLength: number, count: number): number {
    if (this.sending || this.held || this.queue.length > 0 || this.targets.length !== 1 || this.liveTargets !== 1 || this.sharedSequence) return 0;
    const target = this.targets[0];
    const ring = target.ring;
    let claimed = ring.claimBatch(itemLength, count);
    if (claimed === 0 && this.waitedForRoom(target, ring.batchPayloadBytes(itemLength, count))) claimed = ring.claimBatch(itemLength, count);
    if (claimed === 0) return 0;
    this.claimedRing = ring;
    this.sending = true;
    return claimed;
  }

  /** Where the first event of the batch claimed last goes in {@link EventOutlet.claimedBytes}. */
  get batchOffset(): number {
    return this.claimedRing!.batchOffset;
  }

  /** Commits the first `count` events of the claimed batch (visible at the next flush); returns the sequence of the first. */
  commitBatch(codecId: number, itemLength: number, count: number): number {
    const ring = this.claimedRing!;
    this.claimedRing = undefined;
    const first = this.sequence + 1;
    ring.commitBatch(codecId, first, count === 0 ? 0 : this.stamp(), itemLength, count);
    this.sequence += count;
    this.written += count;
    this.sending = false;
    if (this.queue.length > 0) this.guarded(() => this.sendQueued());
    return first;
  }

  /**
   * Abandons the open claim, if any: nothing is published for it, its ring space is reused by the next
   * write, and the outlet sends again (what was queued behind the claim goes out now). For a producer that
   * failed between {@link EventOutlet.claim} and {@link EventOutlet.commitClaimed}; without it the outlet
   * would queue every later send forever.
   */
  abandonClaim(): void {
    if (this.claimedRing === undefined) return;
    this.claimedRing = undefined;
    this.sending = false;
    if (this.queue.length > 0 && !this.held) this.guarded(() => this.sendQueued());
  }

  /** Makes everything written visible to the consumers; also sends queued values if it can. */
  flush(): void {
    this.batchNanos = -1;
    if (this.queue.length > 0 && !this.sending && !this.held) this.guarded(() => this.sendQueued());
    for (let i = 0; i < this.targets.length; i++) this.targets[i].ring.publish();
  }

  /** Sends what is queued (what cannot be sent is counted) and closes every ring; returns the values that never left. */
  close(): number {
    this.abandonClaim(); // a claim still open now will never be committed
    this.held = false;
    if (this.targets.length > 0 && !this.sending) this.guarded(() => this.sendQueued());
    const undelivered = this.queue.length;
    for (let i = 0; i < undelivered; i++) this.dropped();
    this.queue.length = 0;
    for (const target of this.targets) target.ring.close();
    return undelivered;
  }

  /** The current batch's publish time, read from the clock by its first event. */
  private stamp(): number {
    if (this.batchNanos < 0) {
      this.batchNanos = this.clock.nanos();
      this.backpressure.unflushedWrite?.();
    }
    return this.batchNanos;
  }

  /** Runs `work` as the one send in progress; a wait that gives up leaves the rest queued for later. */
  private guarded(work: () => void): void {
    this.sending = true;
    try {
      work();
    } catch {
      // Still no room: the values stay queued for the next send, flush or close.
    } finally {
      this.sending = false;
    }
  }

  private nextSequence(): number {
    this.sequence = this.sharedSequence ? this.sharedSequence() : this.sequence + 1;
    return this.sequence;
  }

  private enqueue(value: unknown, codec: Codec | undefined, traceparent: string | undefined): number {
    const length = traceparent === undefined ? this.queueEncoder.encode(value, codec) : this.queueEncoder.encodeTraced(value, codec, traceparent);
    const sequence = this.nextSequence();
    this.queue.push({ codecId: this.queueEncoder.codecId, sequence, publishedNanos: this.clock.nanos(), bytes: this.queueEncoder.bytes.slice(0, length) });
    return sequence;
  }

  /** Writes queued values in order; stops (leaving the rest queued) if a wait gives up. */
  private sendQueued(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0];
      this.writeToAll(next.codecId, next.sequence, next.publishedNanos, next.bytes, next.bytes.length);
      this.queue.shift();
    }
  }

  private roomEverywhere(length: number): boolean {
    for (const target of this.targets) {
      if (!target.gone && target.ring.blocks && !target.ring.hasRoomFor(Math.min(length, target.ring.maxRecordPayload))) return false;
    }
    return true;
  }

  private writeToAll(codecId: number, sequence: number, publishedNanos: number, bytes: Uint8Array, length: number): void {
    const targets = this.targets;
    if (targets.length > 1) {
      for (const target of targets) {
        if (target.gone) continue;
        try {
          target.ring.awaitRoom(Math.min(length, target.ring.maxRecordPayload), this.backpressure);
        } catch (error) {
          this.lose(target, error);
        }
      }
    }
    // The first live target gets the codec's id, the others its mirror (see Codec.mirrorId). A traced
    // record names its own codec in its last byte (see traced-record.ts): the mirror goes there.
    let id = codecId;
    const mirrorId = targets.length > 1 ? codecById(codecId)?.mirrorId ?? codecId : codecId;
    const tracedOwnId = codecId === TRACED_CODEC_ID && targets.length > 1 ? bytes[length - 1] : -1;
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      if (target.gone) {
        if (target.disconnected) target.ring.countDisconnectedDrop();
        else this.dropped();
        continue;
      }
      try {
        if (target.ring.write(id, sequence, publishedNanos, bytes, length, this.backpressure)) {
          id = mirrorId;
          if (tracedOwnId >= 0) bytes[length - 1] = codecById(tracedOwnId)?.mirrorId ?? tracedOwnId;
        } else {
          this.refused(target);
        }
      } catch (error) {
        this.lose(target, error);
        this.dropped();
      }
    }
    if (tracedOwnId >= 0) bytes[length - 1] = tracedOwnId; // a queued copy may be written again
    this.written++;
  }

  /**
   * The target's ring dropped the event (counted there, by reason: not in `dropped`, which counts consumers
   * that are gone); a disconnected target is skipped from then on.
   */
  private refused(target: Target): void {
    if (!target.ring.disconnected) return;
    target.gone = true;
    target.disconnected = true;
    this.liveTargets--;
    this.fullRings?.disconnected(target.name, target.ring);
  }

  /** A target whose consumer is gone is skipped from then on; any other error propagates. */
  private lose(target: Target, error: unknown): void {
    if (!(error instanceof ConsumerGoneError)) throw error;
    target.gone = true;
    this.liveTargets--;
  }
}
