/**
 * A {@link CircuitBreaker} for a configured `circuitBreaker:` whose state is a gauge in shared memory
 * (`handler_circuit_state`, `sink_circuit_state`: metrics and topology read it) and whose every
 * transition is logged once.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import type { CircuitBreakerPolicy } from "../../plan/types.ts";
import { CIRCUIT_STATE_GAUGE, CircuitBreaker } from "../circuit-breaker.ts";
import type { Counter } from "../counters.ts";

/**
 * @example
 * ```ts
 * const breaker = watchedBreaker(plan.circuitBreaker, () => clock.epochMillis(), counters.counter("sink_circuit_state", { sink: "out" }), log, 'sink "out"');
 * ```
 */
export function watchedBreaker(policy: CircuitBreakerPolicy, now: () => number, gauge: Counter, log: Logger, what: string): CircuitBreaker {
  return new CircuitBreaker(policy, now, (from, to) => {
    gauge.set(CIRCUIT_STATE_GAUGE[to]);
    if (to === "open") {
      const why = from === "halfOpen" ? "the probe failed" : `${policy.failures} failures within ${policy.windowMs} ms`;
      log.warn(`${what}: circuit open for ${policy.openMs} ms (${why}); events are ${policy.whenOpen === "hold" ? "held back" : "dead-lettered"} meanwhile`);
    } else if (to === "halfOpen") {
      log.info(`${what}: circuit half-open, one probe event goes through`);
    } else {
      log.info(`${what}: circuit closed, the probe succeeded`);
    }
  });
}
