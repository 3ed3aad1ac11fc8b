/**
 * Dead letters: events that could not be parsed, mapped, encoded or handled. Each one is counted per
 * reason and, if the configuration names a `deadLetter` sink, written there as a record; without one it
 * is logged (rate-limited). Never silently dropped.
 *
 * @module
 */
import type { Clock } from "../time/clock.ts";
import type { Counter } from "./counters.ts";
import type { DeadLetterReason } from "./dead-letter-reasons.ts";
import type { ErrorReporter } from "./error-reporter.ts";
import { describeThrown, summarizeEvent } from "./errors.ts";
import type { Sink } from "./handler-api.ts";
import type { EventOrigin } from "./plugin-api.ts";


/** What the code that gave up on an event knows about it. */
export interface DeadLetterInput {
  reason: DeadLetterReason;
  feed?: string;
  handler?: string;
  /** The sink that refused the value (its circuit was open). */
  sink?: string;
  sequenceNumber?: number;
  /** Calls made before giving up (with `retry`). */
  attempts?: number;
  error: unknown;
  /** The event, or its raw text. */
  event: unknown;
  origin?: EventOrigin;
}

/** The record written to the dead-letter sink. */
export interface DeadLetter {
  reason: DeadLetterReason;
  feed?: string;
  handler?: string;
  sink?: string;
  sequenceNumber?: number;
  /** Calls made before giving up (with `retry`). */
  attempts?: number;
  /** Line number and byte offset in the source, for events read from files. */
  line?: number;
  offset?: number;
  /** ISO-8601 time the event was given up on. */
  time: string;
  error: string;
  event: unknown;
}

/**
 * @example
 * ```ts
 * const box = new DeadLetterBox("io-agent", counters, reporter, clock, () => host.sinkWriter("rejects"));
 * box.send({ reason: "parse-error", feed: "orders", error, event: line, origin: { line: 7 } });
 * ```
 */
export class DeadLetterBox {
  constructor(
    private readonly agent: string,
    private readonly counters: Record<DeadLetterReason, Counter>,
    private readonly reporter: ErrorReporter,
    private readonly clock: Clock,
    /** The writer to the dead-letter sink, or undefined when none is configured. */
    private readonly sink: () => Sink | undefined,
  ) {}

  send(input: DeadLetterInput): void {
    this.counters[input.reason].inc();
    const { message } = describeThrown(input.error);
    const letter: DeadLetter = {
      reason: input.reason,
      feed: input.feed,
      handler: input.handler,
      sink: input.sink,
      sequenceNumber: input.sequenceNumber,
      attempts: input.attempts,
      line: input.origin?.line,
      offset: input.origin?.offset,
      time: new Date(this.clock.epochMillis()).toISOString(),
      error: message,
      event: input.event,
    };
    for (const key of Object.keys(letter) as (keyof DeadLetter)[]) if (letter[key] === undefined) delete letter[key];
    const sink = this.sink();
    if (sink) {
      try {
        sink.accept(letter);
        return;
      } catch {
        // The event itself may be what cannot travel: send a rendering of it instead.
        try {
          sink.accept({ ...letter, event: summarizeEvent(input.event) });
          return;
        } catch (error) {
          this.report(input, `could not write a dead letter: ${describeThrown(error).message}; ${message}`);
          return;
        }
      }
    }
    // Handler failures are reported where they happen; the rest are reported here, since nothing else records them.
    if (input.reason !== "handler-error") this.report(input, message);
  }

  private report(input: DeadLetterInput, message: string): void {
    this.reporter.report({
      time: this.clock.epochMillis(),
      source: input.handler ? "handler" : input.sink ? "sink" : "feed",
      agent: this.agent,
      component: input.handler ?? input.sink ?? input.feed ?? this.agent,
      phase: input.reason,
      message: input.origin?.line !== undefined ? `${message} (line ${input.origin.line})` : message,
      feed: input.feed,
      sequenceNumber: input.sequenceNumber,
      event: summarizeEvent(input.event),
    });
  }
}
