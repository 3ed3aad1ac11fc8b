/**
 * Measures how far another thread's {@link ServerClock} is off from this thread's, by ping-pong over
 * shared memory: this side stamps t0, the other side answers with its own reading tw, this side stamps
 * t1 on seeing the answer. For the round with the smallest round trip, tw − (t0 + t1) / 2 is the other
 * clock's offset, accurate to about half that round trip (~0.1–0.2 µs here, against ~1 µs for the
 * `performance.timeOrigin` estimate alone).
 *
 * Both sides spin for the whole exchange, so it runs once per agent, at boot, and for a bounded time: at
 * most {@link ROUNDS} rounds or {@link MEASURE_MS} of them. On a machine busier than its cores, a round
 * can take a whole scheduler slice (milliseconds); the best round so far still bounds the error, so a
 * calibration cut short by the budget keeps what it measured instead of failing.
 *
 * @module
 */
import type { ServerClock } from "./clock.ts";

const STATE = 0; // Int32 word: 0 idle, 1 server ready, 2 ping, 3 pong, 4 done
const READY = 1;
const PING = 2;
const PONG = 3;
const DONE = 4;
const ROUNDS = 500;
/** Longest stretch of rounds; 500 rounds take ~0.3 ms on an idle machine. */
const MEASURE_MS = 50;

/** Shared memory for one calibration. */
export function allocateCalibration(): SharedArrayBuffer {
  return new SharedArrayBuffer(64);
}

/**
 * The measuring side (the supervisor). Returns the other clock's offset in nanoseconds (positive: the
 * other clock reads ahead), or `undefined` if the other side did not answer a single ping within
 * `timeoutMs`.
 *
 * @example
 * ```ts
 * const offset = measureClockOffset(words, clock, 1000); // while the agent runs serveClockCalibration
 * ```
 */
export function measureClockOffset(buffer: SharedArrayBuffer, clock: ServerClock, timeoutMs: number): number | undefined {
  const words = new Int32Array(buffer);
  const stamps = new Float64Array(buffer, 8, 1);
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(words, STATE) !== READY) {
    if (performance.now() > deadline) return undefined;
  }
  let bestRoundTrip = Infinity;
  let offset: number | undefined;
  const measureUntil = performance.now() + MEASURE_MS;
  try {
    for (let round = 0; round < ROUNDS && performance.now() < measureUntil; round++) {
      const t0 = clock.nanos();
      Atomics.store(words, STATE, PING);
      while (Atomics.load(words, STATE) !== PONG) {
        if (performance.now() > deadline) return offset;
      }
      const t1 = clock.nanos();
      if (t1 - t0 < bestRoundTrip) {
        bestRoundTrip = t1 - t0;
        offset = stamps[0] - (t0 + t1) / 2;
      }
    }
    return offset;
  } finally {
    Atomics.store(words, STATE, DONE);
  }
}

/** The measured side (an agent): answers pings with its clock until the measuring side is done. */
export function serveClockCalibration(buffer: SharedArrayBuffer, clock: ServerClock, timeoutMs: number): void {
  const words = new Int32Array(buffer);
  const stamps = new Float64Array(buffer, 8, 1);
  const deadline = performance.now() + timeoutMs;
  Atomics.store(words, STATE, READY);
  for (;;) {
    const state = Atomics.load(words, STATE);
    if (state === DONE || performance.now() > deadline) return;
    if (state === PING) {
      stamps[0] = clock.nanos();
      Atomics.store(words, STATE, PONG);
    }
  }
}
