/**
 * `type: fanout`: forwards each value to several sinks (`targets`, which run on the fan-out's own agent so
 * their failures are seen at once).
 *
 * `failurePolicy`:
 * - `CONTINUE` (default): a target that throws is reported and skipped for that value; the others still
 *   get it. Never throws.
 * - `FAIL_FAST`: the first target that throws stops the value there; the error propagates (counted and
 *   reported as a failure of the fan-out sink).
 * - `RETRY_THEN_DROP`: a target that throws is retried at once up to `retryAttempts` more times, then
 *   the value is dropped for that target (counted and reported).
 *
 * Per target, a circuit breaker: after `circuitOpenThreshold` consecutive failures (0 disables it) the
 * target is skipped for `circuitOpenMillis`; then one value is tried (half-open): success closes the
 * circuit, failure opens it again. Deliveries, failures, skipped values and the circuit state are
 * counters in shared memory, visible to metrics.
 *
 * @module
 */
import { CircuitBreaker } from "../circuit-breaker.ts";
import type { Counter } from "../counters.ts";
import type { EventMeta } from "../handler-api.ts";
import type { SinkPlugin } from "../plugin-api.ts";

/** One target as the fan-out sees it. */
export interface FanoutTarget {
  name: string;
  /** Hands the value to the target sink (its mapper, then its accept); throws if the target fails. */
  deliver(value: unknown, meta: EventMeta): void;
  delivered: Counter;
  failures: Counter;
  skipped: Counter;
  /** 1 while the circuit is open, else 0. */
  circuitOpen: Counter;
}

/** The fan-out's settings (the configuration keys). */
export interface FanoutSettings {
  failurePolicy: "CONTINUE" | "FAIL_FAST" | "RETRY_THEN_DROP";
  retryAttempts: number;
  circuitOpenThreshold: number;
  circuitOpenMillis: number;
}

/**
 * @example
 * ```ts
 * // eventSinks:
 * //   - { name: audit, type: fanout, targets: [audit-file, audit-console], failurePolicy: RETRY_THEN_DROP, retryAttempts: 2 }
 * ```
 */
export class FanoutSink implements SinkPlugin {
  /** Per target; undefined when `circuitOpenThreshold` is 0. */
  private readonly circuits: (CircuitBreaker | undefined)[];

  constructor(
    private readonly targets: FanoutTarget[],
    private readonly settings: FanoutSettings,
    /** Reports a target failure that does not propagate (CONTINUE, RETRY_THEN_DROP). */
    private readonly report: (target: string, error: unknown, meta: EventMeta, value: unknown) => void,
    now: () => number = () => performance.now(),
  ) {
    const { circuitOpenThreshold: failures, circuitOpenMillis: openMs } = settings;
    this.circuits = targets.map((target) =>
      failures > 0
        ? new CircuitBreaker({ failures, windowMs: Infinity, openMs, consecutive: true }, now, (_from, to) => target.circuitOpen.set(to === "closed" ? 0 : 1))
        : undefined
    );
  }

  accept(value: unknown, meta: EventMeta): void {
    for (let i = 0; i < this.targets.length; i++) {
      const target = this.targets[i];
      const circuit = this.circuits[i];
      if (circuit !== undefined && !circuit.allow()) {
        target.skipped.inc();
        continue;
      }
      const attempts = this.settings.failurePolicy === "RETRY_THEN_DROP" ? 1 + this.settings.retryAttempts : 1;
      let lastError: unknown;
      let delivered = false;
      for (let attempt = 0; attempt < attempts && !delivered; attempt++) {
        try {
          target.deliver(value, meta);
          delivered = true;
        } catch (error) {
          lastError = error;
          target.failures.inc();
        }
      }
      if (delivered) {
        target.delivered.inc();
        circuit?.succeeded();
        continue;
      }
      circuit?.failed();
      if (this.settings.failurePolicy === "FAIL_FAST") throw lastError;
      this.report(target.name, lastError, meta, value);
    }
  }
}
