import { describe, expect, it } from "bun:test";
import { EventOutlet } from "../../../src/core/event-outlet.ts";
import type { EventMeta } from "../../../src/core/handler-api.ts";
import { InboundRing } from "../../../src/core/host/inbound-ring.ts";
import { TraceScope } from "../../../src/core/tracing/trace-scope.ts";
import { ServerClock } from "../../../src/time/clock.ts";
import { CodecTable } from "../../../src/transport/codecs.ts";
import { type Backpressure, createRingBuffer, RingConsumer, RingProducer } from "../../../src/transport/ring.ts";
import { WakeSignal } from "../../../src/transport/wake-signal.ts";

const clock = new ServerClock(performance.timeOrigin);
const NEVER_FULL: Backpressure = { awaitSpace: () => {} };
const OUTER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const INNER = "00-11111111111111111111111111111111-2222222222222222-01";

/** An outlet writing into one ring, and that ring's inbound end delivering to `deliver` with `scope`. */
function hop(scope: TraceScope, deliver: (value: unknown, meta: EventMeta) => void) {
  const buffer = createRingBuffer(1 << 12, 1);
  const outlet = new EventOutlet("test", clock, NEVER_FULL, () => {});
  outlet.addTarget(new RingProducer(buffer, new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0)), "agent");
  const inbound = new InboundRing(new RingConsumer(buffer), "in", clock, new CodecTable(), deliver, (error) => {
    throw error;
  }, undefined, scope);
  return { outlet, inbound };
}

describe("trace scope of an agent", () => {
  it("holds the delivered event's context during its delivery only; a delivery inside it has its own, then the outer one's comes back", () => {
    const scope = new TraceScope();
    const seen: string[] = [];
    const note = (where: string, meta?: EventMeta) => seen.push(`${where}: scope ${scope.current ?? "none"}${meta ? `, meta ${meta.traceparent ?? "none"}` : ""}`);
    const inner = hop(scope, (value, meta) => note(`inner ${value}`, meta));
    const outer = hop(scope, (value, meta) => {
      note(`outer ${value}`, meta);
      inner.inbound.poll(10); // what a caller-runs wait for ring space does
      note(`outer ${value} after`);
    });
    inner.outlet.send("traced", true, undefined, INNER);
    inner.outlet.send("plain");
    inner.outlet.flush();
    outer.outlet.send("traced", true, undefined, OUTER);
    outer.outlet.flush();
    outer.inbound.poll(10);
    note("after");
    expect(seen).toEqual([
      `outer traced: scope ${OUTER}, meta ${OUTER}`,
      `inner traced: scope ${INNER}, meta ${INNER}`,
      "inner plain: scope none, meta none",
      `outer traced after: scope ${OUTER}`,
      "after: scope none",
    ]);
  });
});
