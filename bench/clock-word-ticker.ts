/**
 * The writer of bench/clock-cost.ts's shared clock word: until told to stop, stores the server-epoch time
 * (ns, as ServerClock.nanos() computes it) into a Float64Array and, atomically, a BigInt64Array over a
 * SharedArrayBuffer, then sleeps `tickMicros` (0: spins, one core busy for the whole run).
 *
 * Message in: `{ shared: SharedArrayBuffer, epochOriginMs: number, tickMicros: number }`. Layout of
 * `shared`: [0] f64 clock, [1] i64 clock (Atomics), [2] i32 stop flag (as Int32Array index 4), [3] ticks.
 */
declare const self: { onmessage: ((event: MessageEvent) => void) | null; postMessage(message: unknown): void };

self.onmessage = (event: MessageEvent) => {
  const { shared, epochOriginMs, tickMicros } = event.data as { shared: SharedArrayBuffer; epochOriginMs: number; tickMicros: number };
  const float = new Float64Array(shared, 0, 1);
  const integer = new BigInt64Array(shared, 8, 1);
  const control = new Int32Array(shared, 16, 2);
  const offsetMs = performance.timeOrigin - epochOriginMs;
  let ticks = 0;
  self.postMessage("started");
  while (Atomics.load(control, 0) === 0) {
    const nanos = (performance.now() + offsetMs) * 1e6;
    float[0] = nanos;
    Atomics.store(integer, 0, BigInt(Math.round(nanos)));
    ticks++;
    if (tickMicros > 0) Atomics.wait(control, 0, 0, tickMicros / 1000);
  }
  Atomics.store(control, 1, ticks);
  self.postMessage("stopped");
};
