/**
 * What a process boundary (a NATS feed taking a message in, a NATS sink publishing one out) does with
 * W3C trace context, once `tracing:` is configured:
 *
 * - **Without `otlpEndpoint`** ({@link PassThroughTracer}): the incoming `traceparent` is carried with the
 *   event unchanged and goes out unchanged (in == out); a message without one gets none.
 * - **With `otlpEndpoint`** (`OtlpTracer`, loaded only then): a CONSUMER span per message in and a
 *   PRODUCER span per message out are exported over OTLP/HTTP; what goes out has the same trace id, with
 *   our PRODUCER span as the parent. An incoming context that is not sampled passes through unchanged
 *   and records nothing; a message without context starts a trace with probability `sampleRatio`, and
 *   carries nothing when it is not sampled.
 *
 * @module
 */
import type { TracingPlan } from "../../plan/types.ts";
import type { Logger } from "../../log/log.ts";
import type { Counter } from "../counters.ts";
import { parseTraceparent } from "./traceparent.ts";

/** Where a message crosses the boundary (span attributes). */
export interface MessageBoundary {
  /** The NATS subject it came from or goes to. */
  subject: string;
  /** The feed or sink name. */
  component: string;
}

/**
 * @example
 * ```ts
 * const carried = tracer.received(message.headers?.get("traceparent"), { subject, component: "orders" });
 * const outgoing = carried && tracer.sent(carried, { subject: "fills", component: "fills-sink" });
 * ```
 */
export interface BoundaryTracer {
  /** A message came in: the traceparent to carry with its event, or undefined for none. */
  received(traceparent: string | undefined, boundary: MessageBoundary): string | undefined;
  /** A value carrying `carried` goes out: the traceparent to send with it. */
  sent(carried: string, boundary: MessageBoundary): string;
  /** Exports what is buffered (at stop). */
  flush(): Promise<void>;
}

/**
 * Propagation only: what comes in goes out, byte for byte; invalid headers are dropped.
 *
 * @example
 * ```ts
 * new PassThroughTracer().received("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", boundary); // the same string
 * ```
 */
export class PassThroughTracer implements BoundaryTracer {
  received(traceparent: string | undefined): string | undefined {
    return parseTraceparent(traceparent) ? traceparent!.trim() : undefined;
  }

  sent(carried: string): string {
    return carried;
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The tracer `tracing:` asks for. The OpenTelemetry packages are imported only when `otlpEndpoint` is set.
 * `exportFailures` counts failed exports; they are logged once per run of failures, never thrown.
 *
 * @example
 * ```ts
 * const tracer = await createBoundaryTracer({ otlpEndpoint: "http://127.0.0.1:4318/v1/traces", sampleRatio: 1, serviceName: "mongoose" }, failures, log);
 * ```
 */
export async function createBoundaryTracer(plan: TracingPlan, exportFailures: Counter, log: Logger): Promise<BoundaryTracer> {
  if (plan.otlpEndpoint === undefined) return new PassThroughTracer();
  const { OtlpTracer } = await import("./otlp-tracer.ts");
  return new OtlpTracer(plan, plan.otlpEndpoint, exportFailures, log);
}
