/**
 * A circuit breaker for code that keeps failing (a handler's `onEvent`, a sink, a fan-out target).
 *
 * Closed: calls go through and failures are remembered in a ring of the last `failures` failure times;
 * when the oldest of them is at most `windowMs` old, that is `failures` failures within the window and the
 * breaker opens. Open: no call goes through for `openMs`. Then half-open: one probe call goes through
 * (the others still do not); its success closes the breaker, its failure opens it again. With
 * `consecutive`, a success while closed forgets the failures (consecutive failures open it).
 *
 * The state is a gauge (0 closed, 1 open, 2 half-open) the owner exposes; every transition is told once.
 * Deciding costs one comparison while closed.
 *
 * @module
 */

/** A breaker's state. */
export type CircuitState = "closed" | "open" | "halfOpen";

/** The gauge value of each state (`*_circuit_state` counters). */
export const CIRCUIT_STATE_GAUGE: Readonly<Record<CircuitState, number>> = { closed: 0, open: 1, halfOpen: 2 };

/** The state a gauge value stands for. */
export function circuitStateOf(gauge: number): CircuitState {
  return gauge === 1 ? "open" : gauge === 2 ? "halfOpen" : "closed";
}

/** When a breaker opens and for how long. */
export interface CircuitBreakerSettings {
  failures: number;
  /** Infinity: any `failures` failures (with `consecutive`: in a row). */
  windowMs: number;
  openMs: number;
  /** A success while closed forgets earlier failures. */
  consecutive?: boolean;
}

/** Told of each state change. */
export type CircuitTransition = (from: CircuitState, to: CircuitState) => void;

/**
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ failures: 3, windowMs: 10_000, openMs: 5_000 }, () => performance.now());
 * if (breaker.allow()) {
 *   try { call(); breaker.succeeded(); } catch { breaker.failed(); }
 * } // else: skip the call, it would fail anyway
 * ```
 */
export class CircuitBreaker {
  state: CircuitState = "closed";
  /** Times of the last `failures` failures, a ring. */
  private readonly failureTimes: Float64Array;
  private nextFailure = 0;
  private recorded = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly now: () => number,
    private readonly transition: CircuitTransition = () => {},
  ) {
    this.failureTimes = new Float64Array(settings.failures);
  }

  /** Whether a call may go through now (in half-open, only the one probe until it ends). */
  allow(): boolean {
    if (this.state === "closed") return true;
    if (this.state === "open") {
      if (this.now() < this.openUntil) return false;
      this.moveTo("halfOpen");
      this.probing = false;
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  /**
   * How many calls may go through now with none of them finding the breaker open: the failures it takes to
   * open while closed, 1 for the probe once half-open is due, else 0. Costs a look at the last `failures`
   * failure times while some are recorded.
   */
  admissible(): number {
    if (this.state === "closed") return this.settings.failures - this.failuresInWindow();
    if (this.state === "open") return this.now() >= this.openUntil ? 1 : 0;
    return this.probing ? 0 : 1;
  }

  /** Milliseconds until a probe may go through (0 when it may now, or when closed). */
  millisUntilProbe(): number {
    return this.state === "open" ? Math.max(0, this.openUntil - this.now()) : 0;
  }

  /** A call that {@link allow} let through succeeded. */
  succeeded(): void {
    if (this.state === "halfOpen") {
      this.forgetFailures();
      this.moveTo("closed");
    } else if (this.settings.consecutive && this.recorded > 0) {
      this.forgetFailures();
    }
  }

  /** A call that {@link allow} let through failed. */
  failed(): void {
    const now = this.now();
    if (this.state === "halfOpen") {
      this.open(now);
      return;
    }
    // A call that started before the breaker opened and failed after: already counted in.
    if (this.state === "open") return;
    const ring = this.failureTimes;
    ring[this.nextFailure] = now;
    this.nextFailure = (this.nextFailure + 1) % ring.length;
    if (this.recorded < ring.length) this.recorded++;
    // With the ring full, the next slot holds the oldest of the last `failures` failures.
    if (this.recorded === ring.length && now - ring[this.nextFailure] <= this.settings.windowMs) this.open(now);
  }

  private failuresInWindow(): number {
    if (this.recorded === 0) return 0;
    const since = this.now() - this.settings.windowMs;
    let count = 0;
    for (let i = 0; i < this.recorded; i++) if (this.failureTimes[i] >= since) count++;
    return count;
  }

  private open(now: number): void {
    this.openUntil = now + this.settings.openMs;
    this.probing = false;
    this.forgetFailures();
    this.moveTo("open");
  }

  private forgetFailures(): void {
    this.recorded = 0;
    this.nextFailure = 0;
  }

  private moveTo(state: CircuitState): void {
    const from = this.state;
    this.state = state;
    this.transition(from, state);
  }
}
