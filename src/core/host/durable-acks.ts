/**
 * End-to-end commit, the handler agent's part: declares events of its feed rings durable only once the
 * values its handlers sent to sinks while handling them have been written by those sinks.
 *
 * The chain, in shared memory only (each word has exactly one writer):
 * 1. A sink's host flushes its sinks (`write()` returned), then stores on each of its inbound sink rings
 *    the number of values consumed so far as that ring's durable count (`RingConsumer.markDurable`).
 * 2. After each duty cycle that consumed something, this agent takes a checkpoint: how many events it
 *    has consumed from each feed ring, and the sequence number of the last value each of its sink
 *    writers accepted. Handlers run synchronously inside the poll, so every value sent for a consumed
 *    event is in that snapshot. Up to 64 checkpoints are in flight, oldest first.
 * 3. Once every writer's ring shows a durable count at or past a checkpoint's (a sink writer numbers its
 *    values 1, 2, 3… in ring order, so "value N written" is "durable count ≥ N"), it stores that
 *    checkpoint's consumed counts as the feed rings' durable counts.
 * 4. The feed commits its read pointer up to the minimum durable count over its subscribers' rings
 *    (`FeedContext.durableSequence`).
 *
 * Memory ordering: every count only grows, is written by one thread with a plain float64 store (aligned:
 * never torn) after the work it vouches for is done, and is read by another thread that acts only on
 * values it has seen. A reader may see a count late (the pointer lags a little), never early, since the
 * store follows the `write()` call in its writer's program order and the reader derives its own store
 * from what it read.
 *
 * Cost: nothing per event. Per duty cycle, only on servers with a COMMITTED file feed: one pass over this
 * agent's feed rings and sink writers (no allocation once the arrays have grown).
 * Events a handler keeps for a retry (or holds behind an open circuit) were consumed but not handled: no
 * checkpoint is taken while any is kept, so a crash meanwhile delivers them again.
 * Not covered: values sent from timers or after an `await` in `onEvent` (they are not tied to an event),
 * values sent into pipes (a pipe's subscribers are not waited for), and an event whose `async` `onEvent`
 * rejects: it is kept only once the promise settles, after the checkpoint covering it may be acknowledged.
 *
 * @module
 */
import type { FeedPlan } from "../../plan/types.ts";
import { keepsReadPointer } from "../../plan/read-pointers.ts";
import type { InboundRing } from "./inbound-ring.ts";

/** The writing side this agent waits on: a sink writer's numbering and the sink's durable count. */
export interface DurableOutput {
  readonly lastSequence: number;
  durableSequence(): number;
}

/** Milliseconds a parked agent with a checkpoint in flight waits before looking again. */
export const DURABLE_CHECK_MS = 5;

/**
 * True when the server has a COMMITTED file feed or a NATS feed (it acks what is durable): only then do
 * agents track durability.
 *
 * @example
 * ```ts
 * tracksDurability(boot.feeds); // true with eventFeeds: [{ type: "file", readStrategy: "COMMITTED", … }]
 * ```
 */
export function tracksDurability(feeds: readonly FeedPlan[]): boolean {
  return feeds.some((feed) => keepsReadPointer(feed) || feed.type === "nats");
}

/** Checkpoints in flight at most; when full, the newest is moved forward instead (acks come a little later). */
const MAX_CHECKPOINTS = 64;

/**
 * @example
 * ```ts
 * const acks = new DurableAcks(feedRings, sinkWriters); // the agent's live lists: they may grow
 * acks.advance(); // after each duty cycle's outputs.flush()
 * ```
 */
export class DurableAcks {
  /** Checkpoints in flight, oldest first, as a circular buffer of rows: consumed count per feed ring. */
  private consumed = new Float64Array(0);
  /** Per checkpoint: last accepted sequence per sink writer. */
  private accepted = new Float64Array(0);
  /** The latest checkpoint's consumed counts (whether or not acknowledged): tells whether anything moved. */
  private latest = new Float64Array(0);
  private feedCount = -1;
  private outputCount = -1;
  private head = 0;
  private size = 0;

  constructor(private readonly feeds: readonly InboundRing[], private readonly outputs: readonly DurableOutput[]) {}

  /** True while a checkpoint waits for sinks: the agent looks again within {@link DURABLE_CHECK_MS}. */
  get waiting(): boolean {
    return this.size > 0;
  }

  /** Forgets the checkpoints in flight (a feed ring was removed, so indices moved); later checkpoints cover their events. */
  reset(): void {
    this.feedCount = -1;
  }

  /**
   * Takes a checkpoint if anything was consumed since the last one, then acknowledges every checkpoint whose
   * outputs are written. `handlersHoldEvents`: some consumed event still waits for a retry or behind an
   * open circuit, so it is not handled yet; no checkpoint is taken until it is (the pointer waits for it).
   */
  advance(handlersHoldEvents = false): void {
    if (this.feeds.length !== this.feedCount || this.outputs.length !== this.outputCount) this.resize();
    if (!handlersHoldEvents) this.checkpoint();
    this.acknowledge();
  }

  /** Publishes the consumed counts of the newest checkpoint all of whose outputs are written; drops it and older ones. */
  private acknowledge(): void {
    const outputs = this.outputs;
    const writers = this.outputCount;
    let acknowledged = -1;
    while (this.size > 0) {
      const row = this.head;
      for (let i = 0; i < writers; i++) {
        if (outputs[i].durableSequence() < this.accepted[row * writers + i]) {
          this.publish(acknowledged);
          return;
        }
      }
      acknowledged = row;
      this.head = (this.head + 1) % MAX_CHECKPOINTS;
      this.size--;
    }
    this.publish(acknowledged);
  }

  private publish(row: number): void {
    if (row < 0) return;
    const feeds = this.feeds;
    for (let i = 0; i < this.feedCount; i++) feeds[i].consumer.markDurable(this.consumed[row * this.feedCount + i]);
  }

  /** Snapshots consumption and outputs, unless nothing was consumed since the last snapshot. */
  private checkpoint(): void {
    const feeds = this.feeds;
    const count = this.feedCount;
    let moved = false;
    for (let i = 0; i < count; i++) {
      const consumed = feeds[i].consumer.consumedEvents;
      if (consumed !== this.latest[i]) moved = true;
      this.latest[i] = consumed;
    }
    if (!moved) return;
    // Full: move the newest checkpoint forward instead (it only grows, so acknowledging it stays safe).
    const row = this.size === MAX_CHECKPOINTS ? (this.head + this.size - 1) % MAX_CHECKPOINTS : (this.head + this.size++) % MAX_CHECKPOINTS;
    for (let i = 0; i < count; i++) this.consumed[row * count + i] = this.latest[i];
    const outputs = this.outputs;
    const writers = this.outputCount;
    for (let i = 0; i < writers; i++) this.accepted[row * writers + i] = outputs[i].lastSequence;
  }

  /** A feed ring or sink writer came or went: start over with rows of the new width (nothing is acknowledged from the old ones). */
  private resize(): void {
    this.feedCount = this.feeds.length;
    this.outputCount = this.outputs.length;
    this.consumed = new Float64Array(MAX_CHECKPOINTS * this.feedCount);
    this.accepted = new Float64Array(MAX_CHECKPOINTS * this.outputCount);
    this.latest = new Float64Array(this.feedCount).fill(-1);
    this.head = 0;
    this.size = 0;
  }
}
