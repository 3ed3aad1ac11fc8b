import { describe, expect, it } from "bun:test";
import { ParkingBackpressure } from "../../../src/agent/backpressure.ts";
import { AgentSignals } from "../../../src/agent/signals.ts";
import { SinkClosedError, SinkWriter } from "../../../src/core/sinks/sink-writer.ts";
import { ServerClock } from "../../../src/time/clock.ts";
import { CodecTable } from "../../../src/transport/codecs.ts";
import { createRingBuffer, RingConsumer, RingProducer } from "../../../src/transport/ring.ts";

const clock = new ServerClock(performance.timeOrigin);
const backpressure = new ParkingBackpressure(new AgentSignals(AgentSignals.allocate()), 10);

function ring() {
  const buffer = createRingBuffer(1024, 1);
  return { producer: new RingProducer(buffer, new AgentSignals(AgentSignals.allocate()).wake), consumer: new RingConsumer(buffer) };
}

const codecs = new CodecTable();

/** Everything readable from the consumer now, decoded with the codec each record names. */
function drain(consumer: RingConsumer): unknown[] {
  const values: unknown[] = [];
  consumer.poll((bytes, offset, length, codecId) => void values.push(codecs.get(codecId)!.decode(bytes, offset, length)), 1_000);
  return values;
}

describe("sink writer", () => {
  it("holds what a handler accepts until its ring exists, then writes it in order, then what follows", () => {
    let dropped = 0;
    const writer = new SinkWriter("out", clock, backpressure, () => dropped++);
    writer.accept("early-1");
    writer.accept({ n: 2 });
    const { producer, consumer } = ring();
    writer.attach(producer);
    writer.accept("late");
    writer.flush();
    expect(drain(consumer)).toEqual(["early-1", { n: 2 }, "late"]);
    expect(dropped).toBe(0);
  });

  it("closes its ring at close, refuses later values naming the sink, and counts what never left", () => {
    const attached = new SinkWriter("out", clock, backpressure, () => {});
    const { producer, consumer } = ring();
    attached.attach(producer);
    attached.accept(1);
    expect(attached.close()).toBe(0);
    expect(drain(consumer)).toEqual([1]);
    expect(consumer.isDrained()).toBe(true);
    expect(() => attached.accept(2)).toThrow(SinkClosedError);
    expect(() => attached.accept(2)).toThrow(/out/);

    const neverAttached = new SinkWriter("lost", clock, backpressure, () => {});
    neverAttached.accept("a");
    neverAttached.accept("b");
    expect(neverAttached.close()).toBe(2);
  });

  it("closes a ring attached after close at once, so its consumer drains instead of waiting", () => {
    const writer = new SinkWriter("out", clock, backpressure, () => {});
    writer.close();
    const { producer, consumer } = ring();
    writer.attach(producer);
    drain(consumer);
    expect(consumer.isDrained()).toBe(true);
  });
});
