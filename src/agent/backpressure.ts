/**
 * What a producer does while a ring is full. The default never drops: it waits, and the ring counts the
 * stall (count and time). Drop/disconnect policies plug in here later.
 *
 * @module
 */
import type { Backpressure, RingProducer } from "../transport/ring.ts";
import type { AgentSignals } from "./signals.ts";

/** A wait for ring space that gave up; the event was not written and the caller is told. */
export class BackpressureTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`ring stayed full for ${Math.round(waitedMs)} ms: its consumer is not keeping up or is stuck`);
    this.name = "BackpressureTimeoutError";
  }
}

const SPIN_NANOS = 20_000;

/**
 * For worker agents: spin briefly, then park on the ring's "space freed" word (the consumer notifies it
 * after releasing space). Keeps the heartbeat going while it waits so a slow consumer is not mistaken for
 * a dead producer.
 *
 * @example
 * ```ts
 * producer.write(codec, sequence, now, bytes, length, new ParkingBackpressure(signals, 100));
 * ```
 */
export class ParkingBackpressure implements Backpressure {
  constructor(private readonly signals: AgentSignals, private readonly maxParkMs: number) {}

  awaitSpace(ring: RingProducer, payloadLength: number, stalledSinceMs: number): void {
    this.signals.beat();
    if ((performance.now() - stalledSinceMs) * 1e6 < SPIN_NANOS) return;
    parkUntilSpace(ring, payloadLength, this.maxParkMs);
  }

  /** Wakes this agent if it is parked (only a timer or I/O callback can write then): its duty cycle flushes. */
  unflushedWrite(): void {
    this.signals.wake.signal();
  }
}

/** Something on the current thread that can run one duty cycle on request. */
export interface LocalWork {
  runOnce(): number;
}

/**
 * For producers on a thread that also runs consumers (inline agents on the event-loop thread): while
 * waiting, run those agents' duty cycles, so a consumer on the same thread (or one a worker is waiting on)
 * keeps draining and the wait cannot deadlock. Gives up after `timeoutMs` with
 * {@link BackpressureTimeoutError}, since a blocked event-loop thread cannot learn that a worker died.
 *
 * @example
 * ```ts
 * const backpressure = new CallerRunsBackpressure(() => inlineRunners, 30_000);
 * ```
 */
export class CallerRunsBackpressure implements Backpressure {
  constructor(private readonly localWork: () => Iterable<LocalWork>, private readonly timeoutMs: number) {}

  awaitSpace(ring: RingProducer, payloadLength: number, stalledSinceMs: number): void {
    // The timeout comes first: other local work that keeps finding something to do must not extend it.
    const waitedMs = performance.now() - stalledSinceMs;
    if (waitedMs > this.timeoutMs) throw new BackpressureTimeoutError(waitedMs);
    let work = 0;
    for (const local of this.localWork()) work += local.runOnce();
    if (work > 0 || waitedMs * 1e6 < SPIN_NANOS) return;
    parkUntilSpace(ring, payloadLength, 1);
  }
}

function parkUntilSpace(ring: RingProducer, payloadLength: number, timeoutMs: number): void {
  ring.spaceSignal.announceSleep();
  if (ring.hasRoomFor(payloadLength) || ring.consumerGone) {
    ring.spaceSignal.cancelSleep();
    return;
  }
  ring.spaceSignal.sleep(timeoutMs);
}
