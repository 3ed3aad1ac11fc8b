/**
 * The sink writer of an agent when `tracing:` is configured: each value carries the trace context of the
 * event being handled when it was accepted (the agent's {@link TraceScope}), so a NATS sink on any agent
 * publishes it with that event's `traceparent`. Without tracing the plain {@link SinkWriter} is used.
 *
 * @module
 */
import type { Clock } from "../../time/clock.ts";
import type { Backpressure } from "../../transport/ring.ts";
import type { TraceScope } from "../tracing/trace-scope.ts";
import { SinkClosedError, SinkWriter } from "./sink-writer.ts";

/**
 * @example
 * ```ts
 * const out = new TracedSinkWriter("fills", clock, backpressure, onDropped, scope);
 * out.accept(fill); // with scope.current, if a traced event is being handled
 * ```
 */
export class TracedSinkWriter extends SinkWriter {
  constructor(name: string, clock: Clock, backpressure: Backpressure, dropped: () => void, private readonly scope: TraceScope) {
    super(name, clock, backpressure, dropped);
  }

  override accept(value: unknown): void {
    if (this.closed) throw new SinkClosedError(this.name);
    this.outlet.send(value, true, undefined, this.scope.current);
  }
}
