/**
 * The trace context of the delivery an agent is running: set by a traced inbound ring around each
 * delivery, read by the agent's sink writers so that what a handler emits while handling an event carries
 * that event's context. One per agent, created only when `tracing:` is configured.
 *
 * @module
 */

/**
 * @example
 * ```ts
 * const scope = new TraceScope();
 * scope.current = meta.traceparent; // around onEvent
 * out.accept(value);                // a TracedSinkWriter sends scope.current with the value
 * scope.current = undefined;
 * ```
 */
export class TraceScope {
  /** The traceparent of the event being delivered, or undefined (none, or outside a delivery). */
  current: string | undefined = undefined;
}
