/**
 * The sending side shared by feed publishers and sink writers: encodes each value once and writes it, in
 * order, to the ring of every target. Three rules keep sending safe:
 *
 * - **All or nothing.** Before writing an event it waits for room in every target ring, so a wait that
 *   gives up (an exception from the backpressure policy) leaves the event written nowhere, and the
 *   caller knows it was not sent.
 * - **No interleaving.** While a send waits for ring space, the thread may run other duty cycles
 *   (caller-runs on the supervisor's thread), which may send on this same outlet. Such a nested send is
 *   encoded into a copy and queued behind the send in progress, never written into the middle of it.
 * - **Nothing dropped unseen.** Values sent before any target exists (`holdUntilTarget`) or nested ones
 *   wait in the queue, in order; whatever can never be written (its consumer died) is counted.
 *
 * @module
 */
import type { Clock } from "../runtime/clock.ts";
import { type Backpressure, ConsumerGoneError, type RingProducer } from "../transport/ring.ts";
import { EventEncoder } from "./event-encoder.ts";

interface Target {
  ring: RingProducer;
  name: string;
  gone: boolean;
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
 * const outlet = new EventOutlet(`sink "out"`, clock, backpressure, { holdUntilTarget: true, dropped: () => {} });
 * outlet.send({ total: 3 });        // queued: no ring yet
 * outlet.addTarget(ring, "supervisor"); // the queued value is written now
 * outlet.flush();
 * ```
 */
export class EventOutlet {
  private readonly targets: Target[] = [];
  private readonly queue: Queued[] = [];
  private readonly encoder: EventEncoder;
  private readonly nestedEncoder: EventEncoder;
  private sequence = 0;
  private sending = false;
  private liveTargets = 0;

  constructor(
    label: string,
    private readonly clock: Clock,
    private readonly backpressure: Backpressure,
    private readonly options: {
      /** Keep values sent before the first target exists, for it (sinks); otherwise they reach nobody (feeds). */
      holdUntilTarget: boolean;
      /** Called for each delivery abandoned because a target's consumer is gone. */
      dropped: () => void;
    },
  ) {
    this.encoder = new EventEncoder(label);
    this.nestedEncoder = new EventEncoder(label);
  }

  /** Number of targets whose consumer is alive. */
  get targetCount(): number {
    return this.liveTargets;
  }

  /** Adds a target ring; it receives what is sent from now on (and, with `holdUntilTarget`, what waited). */
  addTarget(ring: RingProducer, name: string): void {
    this.targets.push({ ring, name, gone: false });
    this.liveTargets++;
    if (this.options.holdUntilTarget && !this.sending) this.sendQueued();
  }

  /**
   * Sends one value; returns its sequence number. Throws a CodecError (the value reached nobody) or
   * whatever the backpressure policy throws when it gives up (the value reached nobody either).
   */
  send(value: unknown): number {
    if (this.sending || (this.options.holdUntilTarget && this.targets.length === 0)) return this.enqueue(value);
    this.sending = true;
    try {
      this.sendQueued();
      const length = this.encoder.encode(value);
      const sequence = ++this.sequence;
      this.writeToAll(this.encoder.codecId, sequence, this.clock.nanos(), this.encoder.bytes, length);
      this.sendQueued();
      return sequence;
    } finally {
      this.sending = false;
    }
  }

  /** Makes everything written visible to the consumers; also sends queued values if it can. */
  flush(): void {
    if (this.queue.length > 0 && !this.sending && (this.targets.length > 0 || !this.options.holdUntilTarget)) {
      this.sending = true;
      try {
        this.sendQueued();
      } catch {
        // Still no room: the values stay queued for the next send, flush or close.
      } finally {
        this.sending = false;
      }
    }
    for (const target of this.targets) target.ring.publish();
  }

  /** Sends what is queued (or counts it as undeliverable) and closes every ring; returns the values that never left. */
  close(): number {
    let undelivered = 0;
    if (this.targets.length > 0) {
      try {
        this.sendQueued();
      } catch {
        // Counted below.
      }
    }
    undelivered = this.queue.length;
    for (let i = 0; i < undelivered; i++) this.options.dropped();
    this.queue.length = 0;
    for (const target of this.targets) target.ring.close();
    return undelivered;
  }

  private enqueue(value: unknown): number {
    const length = this.nestedEncoder.encode(value);
    const sequence = ++this.sequence;
    this.queue.push({ codecId: this.nestedEncoder.codecId, sequence, publishedNanos: this.clock.nanos(), bytes: this.nestedEncoder.bytes.slice(0, length) });
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
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i];
      if (target.gone) {
        this.options.dropped();
        continue;
      }
      try {
        target.ring.write(codecId, sequence, publishedNanos, bytes, length, this.backpressure);
      } catch (error) {
        this.lose(target, error);
        this.options.dropped();
      }
    }
  }

  /** A target whose consumer is gone is skipped from then on; any other error propagates. */
  private lose(target: Target, error: unknown): void {
    if (!(error instanceof ConsumerGoneError)) throw error;
    target.gone = true;
    this.liveTargets--;
  }
}
