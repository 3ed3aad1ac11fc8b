/**
 * How an agent's components report failures: one place that turns a thrown value into an
 * {@link ErrorReport} naming the agent, component and phase (and, for event failures, the feed,
 * sequence number and a rendering of the event), rate-limited by the {@link ErrorReporter}.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { ErrorReporter } from "../error-reporter.ts";
import { describeThrown, type ErrorSource, summarizeEvent } from "../errors.ts";

/** Where an event failure happened; absent for lifecycle and I/O failures. */
export interface EventPosition {
  feed: string;
  sequenceNumber: number;
  event: unknown;
}

/**
 * @example
 * ```ts
 * const errors = new ComponentErrors("processor", clock, reporter);
 * errors.report("handler", "pnl", "stop", new Error("boom"));
 * errors.report("sink", "out", "accept", thrown, { feed: "prices", sequenceNumber: 7, event: value });
 * ```
 */
export class ComponentErrors {
  constructor(private readonly agent: string, private readonly clock: Clock, private readonly reporter: ErrorReporter) {}

  report(source: ErrorSource, component: string, phase: string, thrown: unknown, position?: EventPosition): void {
    const { message, stack } = describeThrown(thrown);
    this.reporter.report({
      time: this.clock.epochMillis(),
      source,
      agent: this.agent,
      component,
      phase,
      message,
      stack,
      ...(position && { feed: position.feed, sequenceNumber: position.sequenceNumber, event: summarizeEvent(position.event) }),
    });
  }

  /** A record that could not be decoded: the agent's own failure, not a component's. */
  decodeFailed(source: string, sequenceNumber: number, thrown: unknown): void {
    const message = `cannot decode record from ${source}: ${describeThrown(thrown).message}`;
    this.reporter.report({ time: this.clock.epochMillis(), source: "decode", agent: this.agent, component: this.agent, phase: "decode", message, sequenceNumber });
  }
}
