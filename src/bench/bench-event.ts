/**
 * The event every one-hop benchmark moves: a small trade-like tick. With `--codec struct` it is the
 * fixed-layout type {@link BENCH_TICK} (40 bytes, written in place, read through a flyweight); with
 * `--codec json` a plain object through the generic codec. `t` is the intended send time (server clock,
 * ns), so latency is measured from the schedule, not from when a stalled publisher got round to it.
 *
 * Control events share the shape: `id` {@link WARMUP_DONE} ends the warm-up, {@link END} follows the
 * last measured event and carries the publisher's heap growth in `px` and its thread's CPU seconds over
 * the measured part in `t` (-1 where the system does not say).
 *
 * @module
 */
import { defineEvent } from "../transport/fixed-layout.ts";

/** The tick's fixed layout. */
export const BENCH_TICK = defineEvent("BenchTick", {
  t: "f64",
  id: "f64",
  px: "f64",
  qty: "i32",
  warmup: "bool",
  side: "ascii(1)",
  sym: "ascii(6)",
});

/** The tick's fields, as handlers read them (flyweight or plain object alike). */
export interface BenchTick {
  t: number;
  id: number;
  px: number;
  qty: number;
  warmup: boolean;
  side: string;
  sym: string;
}

/** `id` of the event that ends the warm-up. */
export const WARMUP_DONE = -1;
/** `id` of the event after the last measured one. */
export const END = -2;

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "TSLA"];

/**
 * Fills `tick` as event `id` meant to be sent at `t`.
 *
 * @example
 * ```ts
 * const tick = fillTick({} as BenchTick, 7, 1_000, false);
 * tick.sym; // "TSLA"
 * ```
 */
export function fillTick(tick: BenchTick, id: number, t: number, warmup: boolean): BenchTick {
  tick.t = t;
  tick.id = id;
  tick.px = 101.25 + (id & 127) / 100;
  tick.qty = 100 + (id & 7);
  tick.warmup = warmup;
  tick.side = (id & 1) === 0 ? "B" : "S";
  tick.sym = SYMBOLS[id & 3];
  return tick;
}
