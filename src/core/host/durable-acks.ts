/**
 * End-to-end commit, the handler agent's part: declares events of its feed rings durable only once the
 * values its handlers sent to sinks while handling them have been written by those sinks.
 *
 * The chain, in shared memory only (each word has exactly one writer):
 * 1. A sink's host flushes its sinks (`write()` returned), then stores on each of its inbound sink rings
 *    the number of values consumed so far as that ring's durable count (`RingConsumer.markDurable`).
 * 2. This agent takes a checkpoint after a duty cycle: how many events it has consumed from each feed
 *    ring, and the sequence number of the last value each of its sink writers accepted. Handlers run
 *    synchronously inside the poll, so every value sent for a consumed event is in that snapshot.
 * 3. Once every writer's ring shows a durable count at or past its snapshot (a sink writer numbers its
 *    values 1, 2, 3… in ring order, so "value N written" is "durable count ≥ N"), it stores the
 *    checkpoint's consumed counts as the feed rings' durable counts, then takes the next checkpoint.
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
 * Not covered: values sent from timers or after an `await` in `onEvent` (they are not tied to an event),
 * and values sent into pipes (a pipe's subscribers are not waited for).
 *
 * @module
 */
import type { FeedPlan } from "../../plan/types.ts";
import type { InboundRing } from "./inbound-ring.ts";

/** The writing side this agent waits on: a sink writer's numbering and the sink's durable count. */
export interface DurableOutput {
  readonly lastSequence: number;
  durableSequence(): number;
}

/** Milliseconds a parked agent with a checkpoint in flight waits before looking again. */
export const DURABLE_CHECK_MS = 5;

/**
 * True when the server has a COMMITTED file feed: only then do agents track durability.
 *
 * @example
 * ```ts
 * tracksDurability(boot.feeds); // true with eventFeeds: [{ type: "file", readStrategy: "COMMITTED", … }]
 * ```
 */
export function tracksDurability(feeds: readonly FeedPlan[]): boolean {
  return feeds.some((feed) => feed.type === "file" && (feed.settings.readStrategy === "COMMITTED" || feed.settings.readStrategy === "COMMITED"));
}

/**
 * @example
 * ```ts
 * const acks = new DurableAcks(feedRings, sinkWriters); // the agent's live lists: they may grow
 * acks.advance(); // after each duty cycle's outputs.flush()
 * ```
 */
export class DurableAcks {
  /** Consumed counts of the checkpoint in flight, per feed ring (by index in `feeds`). */
  private readonly consumed: number[] = [];
  /** Last accepted sequence per sink writer at the checkpoint in flight (by index in `outputs`). */
  private readonly accepted: number[] = [];
  private inFlight = false;

  constructor(private readonly feeds: readonly InboundRing[], private readonly outputs: readonly DurableOutput[]) {}

  /** True while a checkpoint waits for sinks: the agent looks again within {@link DURABLE_CHECK_MS}. */
  get waiting(): boolean {
    return this.inFlight;
  }

  /** Forgets the checkpoint in flight: a feed ring was removed, so indices moved (nothing is acknowledged wrongly; the next checkpoint covers it). */
  reset(): void {
    this.consumed.length = 0;
    this.accepted.length = 0;
    this.inFlight = false;
  }

  /** Acknowledges the checkpoint in flight if its outputs are written, then takes the next one. */
  advance(): void {
    if (this.inFlight && !this.acknowledge()) return;
    if (this.checkpoint()) this.acknowledge();
  }

  /** Publishes the checkpoint's consumed counts once every output it waits for is written; false if not yet. */
  private acknowledge(): boolean {
    const accepted = this.accepted;
    for (let i = 0; i < accepted.length; i++) {
      if (this.outputs[i].durableSequence() < accepted[i]) return false;
    }
    const consumed = this.consumed;
    for (let i = 0; i < consumed.length; i++) this.feeds[i].consumer.markDurable(consumed[i]);
    this.inFlight = false;
    return true;
  }

  /** Snapshots consumption and outputs; false (nothing in flight) if nothing was consumed since the last one. */
  private checkpoint(): boolean {
    const feeds = this.feeds;
    let moved = false;
    for (let i = 0; i < feeds.length; i++) {
      const count = feeds[i].consumer.consumedEvents;
      if (count !== this.consumed[i]) moved = true;
      this.consumed[i] = count;
    }
    if (!moved) return false;
    const outputs = this.outputs;
    for (let i = 0; i < outputs.length; i++) this.accepted[i] = outputs[i].lastSequence;
    this.inFlight = true;
    return true;
  }
}
