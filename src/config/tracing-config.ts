/**
 * The `tracing:` key: `{otlpEndpoint?, sampleRatio?, serviceName?}`. Present (even `tracing: {}`), NATS
 * feeds and sinks propagate W3C trace context; with `otlpEndpoint` they also export boundary spans.
 *
 * @module
 */
import * as v from "valibot";

/** `service.name` of exported spans when `serviceName` is not given. */
export const DEFAULT_TRACING_SERVICE_NAME = "mongoose-server";

/**
 * @example
 * ```ts
 * v.parse(tracingSchema, { otlpEndpoint: "http://127.0.0.1:4318/v1/traces" }); // sampleRatio 1, serviceName "mongoose-server"
 * ```
 */
export const tracingSchema = v.strictObject({
  /** OTLP/HTTP traces endpoint, e.g. `http://collector:4318/v1/traces`. */
  otlpEndpoint: v.optional(v.pipe(v.string(), v.check(isHttpUrl, "must be an http:// or https:// URL (OTLP/HTTP), e.g. http://127.0.0.1:4318/v1/traces"))),
  sampleRatio: v.optional(v.pipe(v.number(), v.minValue(0, "must be between 0 and 1"), v.maxValue(1, "must be between 0 and 1")), 1),
  serviceName: v.optional(v.pipe(v.string(), v.minLength(1, "must not be empty")), DEFAULT_TRACING_SERVICE_NAME),
});

function isHttpUrl(text: string): boolean {
  return URL.canParse(text) && /^https?:$/.test(new URL(text).protocol);
}
