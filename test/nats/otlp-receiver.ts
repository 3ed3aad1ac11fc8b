/**
 * A small OTLP/HTTP trace receiver for tests: accepts `POST /v1/traces` in the JSON encoding (what the
 * OpenTelemetry JS HTTP exporter sends) and keeps every span, with ids as lower-case hex.
 */
import { createServer, type Server } from "node:http";

/** One received span, flattened. */
export interface ReceivedSpan {
  name: string;
  /** OTLP span kind: 4 PRODUCER, 5 CONSUMER. */
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  serviceName: string;
  attributes: Record<string, unknown>;
}

/** Span kinds of the OTLP protocol. */
export const SPAN_KIND = { producer: 4, consumer: 5 } as const;

/**
 * @example
 * ```ts
 * const receiver = await OtlpReceiver.start();
 * // tracing: { otlpEndpoint: receiver.endpoint }
 * await eventually(() => receiver.spans.length > 0, "a span exported");
 * await receiver.stop();
 * ```
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  private constructor(private readonly server: Server, readonly endpoint: string) {}

  static async start(): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        if (request.url === "/v1/traces") receiver!.take(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    receiver = new OtlpReceiver(server, `http://127.0.0.1:${port}/v1/traces`);
    return receiver;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  // deno-lint-ignore no-explicit-any
  private take(body: any): void {
    for (const resourceSpans of body.resourceSpans ?? []) {
      // deno-lint-ignore no-explicit-any
      const serviceName = resourceSpans.resource?.attributes?.find((a: any) => a.key === "service.name")?.value?.stringValue ?? "";
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            name: span.name,
            kind: span.kind,
            traceId: hexId(span.traceId),
            spanId: hexId(span.spanId),
            parentSpanId: hexId(span.parentSpanId),
            serviceName,
            // deno-lint-ignore no-explicit-any
            attributes: Object.fromEntries((span.attributes ?? []).map((a: any) => [a.key, Object.values(a.value)[0]])),
          });
        }
      }
    }
  }
}

/** OTLP/JSON ids are hex by the spec; some encoders send base64: both become hex. */
function hexId(id: string | undefined): string {
  if (!id) return "";
  if (/^[0-9a-f]+$/i.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, "base64").toString("hex");
}
