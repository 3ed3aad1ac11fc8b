/**
 * End-to-end commit for a sink whose writes complete after `accept` returns (a broker's acknowledgement,
 * `SinkPlugin.written`): the sink ring's durable count (see `DurableAcks`) moves only once the values
 * consumed from it are written, not when `flush` returned.
 *
 * After each flush a checkpoint pairs the ring's consumed count with the number of values handed to the
 * sink so far (from every ring: values are numbered in `accept` order). Every value consumed from the ring
 * before the checkpoint is among those (or was dropped by the mapper or a circuit: nothing to wait for),
 * so once `written()` reaches that number the consumed count is durable. Checkpoints live in a circular
 * buffer of typed arrays: nothing is allocated per value or per flush.
 *
 * @module
 */
import type { RingConsumer } from "../../transport/ring.ts";

/** The sink side a checkpoint waits on. */
export interface LaterWritingSink {
  /** Values handed to the plugin's `accept` so far. */
  readonly handedOver: number;
  /** Values the plugin reports written, in `accept` order. */
  written(): number;
}

/** Checkpoints in flight at most; when full, the newest moves forward (the ring's ack comes a little later). */
const MAX_CHECKPOINTS = 64;

/**
 * @example
 * ```ts
 * const later = new LaterWrites(consumer, hostedSink);
 * later.checkpoint();  // after the sinks flushed
 * later.acknowledge(); // whenever the sink may have written more: marks the ring durable that far
 * ```
 */
export class LaterWrites {
  private readonly consumed = new Float64Array(MAX_CHECKPOINTS);
  private readonly handed = new Float64Array(MAX_CHECKPOINTS);
  private head = 0;
  private size = 0;
  private lastConsumed = -1;

  constructor(private readonly consumer: RingConsumer, private readonly sink: LaterWritingSink) {}

  /** Records how far the ring was consumed and how many values the sink was handed, if the ring moved. */
  checkpoint(): void {
    const consumed = this.consumer.consumedEvents;
    if (consumed === this.lastConsumed) return;
    this.lastConsumed = consumed;
    const row = this.size === MAX_CHECKPOINTS ? (this.head + this.size - 1) % MAX_CHECKPOINTS : (this.head + this.size++) % MAX_CHECKPOINTS;
    this.consumed[row] = consumed;
    this.handed[row] = this.sink.handedOver;
  }

  /** Marks the ring durable up to the newest checkpoint whose values the sink has written. */
  acknowledge(): void {
    if (this.size === 0) return;
    const written = this.sink.written();
    let durable = -1;
    while (this.size > 0 && this.handed[this.head] <= written) {
      durable = this.consumed[this.head];
      this.head = (this.head + 1) % MAX_CHECKPOINTS;
      this.size--;
    }
    if (durable >= 0) this.consumer.markDurable(durable);
  }
}
