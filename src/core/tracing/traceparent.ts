/**
 * The W3C trace context `traceparent` header, version 00: `00-<trace id>-<parent id>-<flags>`, lower-case
 * hex. Only what the boundaries need: recognise a valid one, take it apart, make one.
 *
 * @module
 */

/** The header (NATS, HTTP) that carries it. */
export const TRACEPARENT_HEADER = "traceparent";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO_TRACE = "0".repeat(32);
const ALL_ZERO_SPAN = "0".repeat(16);

/** A traceparent taken apart. */
export interface TraceContext {
  traceId: string;
  /** The span id of the caller (the parent of whatever this side records). */
  parentId: string;
  /** Bit 0 is `sampled`. */
  flags: number;
}

/**
 * The header's parts, or undefined when it is absent or not a valid version-00 traceparent (an invalid
 * one is dropped, as the W3C spec asks, rather than passed on).
 *
 * @example
 * ```ts
 * parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?.traceId; // "4bf92f35…"
 * parseTraceparent("garbage"); // undefined
 * ```
 */
export function parseTraceparent(header: string | undefined | null): TraceContext | undefined {
  if (!header) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match || match[1] === ALL_ZERO_TRACE || match[2] === ALL_ZERO_SPAN) return undefined;
  return { traceId: match[1], parentId: match[2], flags: parseInt(match[3], 16) };
}

/**
 * A version-00 traceparent.
 *
 * @example
 * ```ts
 * formatTraceparent({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentId: "00f067aa0ba902b7", flags: 1 });
 * // "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
 * ```
 */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.parentId}-${(context.flags & 0xff).toString(16).padStart(2, "0")}`;
}

/**
 * Whether the caller sampled this trace (flags bit 0).
 *
 * @example
 * ```ts
 * isSampled(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")!); // false
 * ```
 */
export function isSampled(context: TraceContext): boolean {
  return (context.flags & 1) === 1;
}
