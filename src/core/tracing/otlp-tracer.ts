/**
 * Boundary spans exported over OTLP/HTTP (JSON) with the OpenTelemetry SDK: imported only when
 * `tracing.otlpEndpoint` is set (see boundary-tracer.ts for the semantics). Sampling is the SDK's
 * parent-based sampler: an incoming sampled flag is obeyed, `sampleRatio` decides for roots.
 *
 * @module
 */
import { type Context, ROOT_CONTEXT, type Span, SpanKind, trace } from "@opentelemetry/api";
import { ExportResultCode, type ExportResult } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type ReadableSpan,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import type { Tracer } from "@opentelemetry/api";
import type { TracingPlan } from "../../plan/types.ts";
import type { Logger } from "../../log/log.ts";
import type { Counter } from "../counters.ts";
import { describeThrown } from "../errors.ts";
import type { BoundaryTracer, MessageBoundary } from "./boundary-tracer.ts";
import { formatTraceparent, isSampled, parseTraceparent } from "./traceparent.ts";

/** Spans are sent at least this often (the SDK's default, 5 s, is long for a boundary trace). */
const EXPORT_DELAY_MS = 1_000;

/**
 * @example
 * ```ts
 * const tracer = new OtlpTracer(plan, "http://127.0.0.1:4318/v1/traces", failures, log);
 * const carried = tracer.received(incoming, { subject: "orders", component: "orders-feed" });
 * ```
 */
export class OtlpTracer implements BoundaryTracer {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;

  constructor(plan: TracingPlan, endpoint: string, exportFailures: Counter, log: Logger) {
    const exporter = new CountingExporter(new OTLPTraceExporter({ url: endpoint }), exportFailures, log, endpoint);
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": plan.serviceName }),
      sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(plan.sampleRatio) }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: EXPORT_DELAY_MS })],
    });
    this.tracer = this.provider.getTracer("mongoose-server");
  }

  received(traceparent: string | undefined, boundary: MessageBoundary): string | undefined {
    const parent = parseTraceparent(traceparent);
    if (parent && !isSampled(parent)) return traceparent!.trim();
    const context = parent ? trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.parentId, traceFlags: parent.flags, isRemote: true }) : ROOT_CONTEXT;
    return this.span(`receive ${boundary.subject}`, SpanKind.CONSUMER, "receive", boundary, context);
  }

  sent(carried: string, boundary: MessageBoundary): string {
    const parent = parseTraceparent(carried);
    if (!parent || !isSampled(parent)) return carried;
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.parentId, traceFlags: parent.flags, isRemote: false });
    return this.span(`publish ${boundary.subject}`, SpanKind.PRODUCER, "publish", boundary, context) ?? carried;
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush().catch(() => {}); // failures are counted by the exporter
  }

  /** Records one span (it marks a crossing, so it ends at once); the traceparent naming it, or undefined if not sampled. */
  private span(name: string, kind: SpanKind, operation: string, boundary: MessageBoundary, parent: Context): string | undefined {
    const span: Span = this.tracer.startSpan(name, {
      kind,
      attributes: {
        "messaging.system": "nats",
        "messaging.destination.name": boundary.subject,
        "messaging.operation.type": operation,
        "mongoose.component": boundary.component,
      },
    }, parent);
    const recording = span.isRecording();
    const { traceId, spanId, traceFlags } = span.spanContext();
    span.end();
    return recording ? formatTraceparent({ traceId, parentId: spanId, flags: traceFlags }) : undefined;
  }
}

/** Counts and logs failed exports (an unreachable or wrong endpoint must not take the server down). */
class CountingExporter implements SpanExporter {
  private failing = false;

  constructor(private readonly inner: SpanExporter, private readonly failures: Counter, private readonly log: Logger, private readonly endpoint: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) {
        if (this.failing) this.log.info(`tracing: exporting spans to ${this.endpoint} works again`);
        this.failing = false;
      } else {
        this.failures.inc();
        if (!this.failing) this.log.warn(`tracing: exporting ${spans.length} spans to ${this.endpoint} failed (counted in tracing_export_failures_total; spans are dropped until it works): ${describeThrown(result.error).message}`);
        this.failing = true;
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
