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
 * A measurement is only as good as its best round trip: when the other thread shared a core with a
 * spinning agent, every round may have waited a scheduler slice (4–17 ms measured here on 2 cores), and
 * applying such an offset put clocks off by up to 2 ms. {@link isPrecise} says whether a measurement beats
 * the `timeOrigin` estimate (measured offsets of good rounds: under 0.05 µs on Bun, ~0.3 µs on Deno).
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

/** Round trips above this bound the offset's error (half the round trip) worse than `timeOrigin` alone (~1 µs). */
export const MAX_PRECISE_ROUND_TRIP_NANOS = 2_000;

/** What a calibration measured: the other clock's offset, and the round trip that bounds its error. */
export interface ClockOffset {
  /** Nanoseconds the other clock reads ahead of this one (negative: behind). */
  offsetNanos: number;
  /** The shortest round trip seen; the offset is right to within half of it. */
  roundTripNanos: number;
}

/**
 * Whether `measured` is worth applying: its error bound beats the `timeOrigin` estimate's.
 *
 * @example
 * ```ts
 * if (isPrecise({ offsetNanos: 120, roundTripNanos: 700 })) clock.correct(120);
 * ```
 */
export function isPrecise(measured: ClockOffset): boolean {
  return measured.roundTripNanos <= MAX_PRECISE_ROUND_TRIP_NANOS;
}

/** Shared memory for one calibration. */
export function allocateCalibration(): SharedArrayBuffer {
  return new SharedArrayBuffer(64);
}

/**
 * The measuring side (the supervisor). Returns the other clock's offset from the round with the shortest
 * round trip, or `undefined` if the other side did not answer a single ping within `timeoutMs`.
 *
 * @example
 * ```ts
 * const measured = measureClockOffset(buffer, clock, 1000); // while the agent runs serveClockCalibration
 * if (measured && isPrecise(measured)) console.log(measured.offsetNanos);
 * ```
 */
export function measureClockOffset(buffer: SharedArrayBuffer, clock: ServerClock, timeoutMs: number): ClockOffset | undefined {
  const words = new Int32Array(buffer);
  const stamps = new Float64Array(buffer, 8, 1);
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(words, STATE) !== READY) {
    if (performance.now() > deadline) return undefined;
  }
  let best: ClockOffset | undefined;
  const measureUntil = performance.now() + MEASURE_MS;
  try {
    for (let round = 0; round < ROUNDS && performance.now() < measureUntil; round++) {
      const t0 = clock.nanos();
      Atomics.store(words, STATE, PING);
      while (Atomics.load(words, STATE) !== PONG) {
        if (performance.now() > deadline) return best;
      }
      const t1 = clock.nanos();
      if (best === undefined || t1 - t0 < best.roundTripNanos) best = { offsetNanos: stamps[0] - (t0 + t1) / 2, roundTripNanos: t1 - t0 };
    }
    return best;
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
