import { describe, expect, it } from "bun:test";
import { type BoundaryTracer, PassThroughTracer } from "../../../src/core/tracing/boundary-tracer.ts";
import { formatTraceparent, isSampled, parseTraceparent } from "../../../src/core/tracing/traceparent.ts";

const VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traceparent", () => {
  it("takes a version-00 header apart and puts it back together", () => {
    const context = parseTraceparent(VALID)!;
    expect(context).toEqual({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentId: "00f067aa0ba902b7", flags: 1 });
    expect(isSampled(context)).toBe(true);
    expect(formatTraceparent(context)).toBe(VALID);
    expect(isSampled(parseTraceparent(VALID.replace(/01$/, "00"))!)).toBe(false);
  });

  it("refuses what the W3C spec says to drop: other versions, upper case, all-zero ids, wrong lengths", () => {
    for (const bad of [undefined, "", "garbage", VALID.replace(/^00/, "01"), VALID.toUpperCase(), `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, `00-4bf92f3577b34da6a3ce929d0e0e4736-${"0".repeat(16)}-01`, `${VALID}-extra`]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it("propagation only: what comes in goes out unchanged, invalid headers are dropped", () => {
    const tracer: BoundaryTracer = new PassThroughTracer();
    const boundary = { subject: "orders", component: "in" };
    expect(tracer.received(VALID, boundary)).toBe(VALID);
    expect(tracer.received(undefined, boundary)).toBeUndefined();
    expect(tracer.received("garbage", boundary)).toBeUndefined();
    expect(tracer.sent(VALID, boundary)).toBe(VALID);
  });
});
