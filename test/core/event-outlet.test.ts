import { describe, expect, it } from "bun:test";
import { EventEncoder } from "../../src/core/event-encoder.ts";
import { EventOutlet } from "../../src/core/event-outlet.ts";
import { ServerClock } from "../../src/time/clock.ts";
import { codecById } from "../../src/transport/codecs.ts";
import { genericCodec } from "../../src/transport/generic-codec.ts";
import { type Backpressure, createRingBuffer, RingConsumer, RingProducer } from "../../src/transport/ring.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";

const clock = new ServerClock(performance.timeOrigin);
const wake = () => new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0);

function ring(capacity = 1024) {
  const buffer = createRingBuffer(capacity, 1);
  return { producer: new RingProducer(buffer, wake()), consumer: new RingConsumer(buffer) };
}

function drain(consumer: RingConsumer, into: unknown[]): number {
  return consumer.poll((bytes, offset, length) => void into.push(genericCodec.decode(bytes, offset, length)), 1_000_000);
}

describe("event outlet", () => {
  it("queues a send made while another send waits for space, and writes it after, intact", () => {
    const { producer, consumer } = ring();
    const received: unknown[] = [];
    let outlet: EventOutlet;
    let nested = false;
    const backpressure: Backpressure = {
      awaitSpace() {
        // What caller-runs does: run a duty cycle that sends on this same outlet, then let the consumer in.
        if (!nested) {
          nested = true;
          outlet.send({ nested: "x".repeat(150) });
        }
        drain(consumer, received);
      },
    };
    outlet = new EventOutlet("test", clock, backpressure, () => {});
    outlet.addTarget(producer, "consumer");
    const values = Array.from({ length: 12 }, (_, i) => ({ i, pad: "p".repeat(100) }));
    for (const value of values) outlet.send(value);
    outlet.flush();
    drain(consumer, received);
    const nestedAt = received.findIndex((v) => (v as { nested?: string }).nested !== undefined);
    expect(nestedAt).toBeGreaterThan(0);
    expect(received.filter((_, i) => i !== nestedAt)).toEqual(values);
    expect(received[nestedAt]).toEqual({ nested: "x".repeat(150) });
  });

  it("writes an event to every target or to none: a wait that gives up leaves no target with it", () => {
    const fast = ring();
    const stuck = ring();
    let giveUp = false;
    const backpressure: Backpressure = {
      awaitSpace() {
        if (giveUp) throw new Error("gave up");
        drain(fast.consumer, []);
      },
    };
    const outlet = new EventOutlet("test", clock, backpressure, () => {});
    outlet.addTarget(fast.producer, "fast");
    outlet.addTarget(stuck.producer, "stuck");
    let sent = 0;
    giveUp = true;
    const fastReceived: unknown[] = [];
    expect(() => {
      for (;; sent++) {
        outlet.send({ sent, pad: "p".repeat(60) });
        outlet.flush();
        drain(fast.consumer, fastReceived);
      }
    }).toThrow("gave up");
    outlet.flush();
    drain(fast.consumer, fastReceived);
    const stuckReceived: unknown[] = [];
    drain(stuck.consumer, stuckReceived);
    expect(fastReceived.length).toBe(sent);
    expect(stuckReceived.length).toBe(sent);
  });

  it("holds values until released, numbering them in order, and counts what can never be delivered", () => {
    let dropped = 0;
    const outlet = new EventOutlet("test", clock, { awaitSpace() {} }, () => dropped++);
    outlet.hold();
    expect(outlet.send("early-1")).toBe(1);
    expect(outlet.send("early-2")).toBe(2);
    const { producer, consumer } = ring();
    outlet.addTarget(producer, "late");
    outlet.release();
    expect(outlet.send("live")).toBe(3);
    outlet.flush();
    const received: string[] = [];
    consumer.poll((bytes, offset, length) => void received.push(new TextDecoder().decode(bytes.slice(offset, offset + length))), 10);
    expect(received).toEqual(["early-1", "early-2", "live"]);
    expect(outlet.deliveredSequence()).toBe(3);
    const never = new EventOutlet("test", clock, { awaitSpace() {} }, () => dropped++);
    never.hold();
    never.send("lost");
    expect(never.close()).toBe(1);
    expect(dropped).toBe(1);
  });

  it("reports as delivered only what every target's consumer has taken", () => {
    const a = ring();
    const b = ring();
    const outlet = new EventOutlet("test", clock, { awaitSpace() {} }, () => {});
    outlet.send("before any target"); // reaches nobody, so it counts as delivered
    outlet.addTarget(a.producer, "a");
    outlet.addTarget(b.producer, "b");
    for (const value of ["x", "y", "z"]) outlet.send(value);
    outlet.flush();
    expect(outlet.deliveredSequence()).toBe(1);
    a.consumer.poll(() => {}, 10);
    b.consumer.poll(() => {}, 2);
    expect(outlet.deliveredSequence()).toBe(3);
    b.consumer.poll(() => {}, 10);
    expect(outlet.deliveredSequence()).toBe(4);
  });

  it("replacing a dead producer on its ring, counts delivery and durability from its own events on, after the predecessor's left in the ring", () => {
    const buffer = createRingBuffer(1024, 1);
    const consumer = new RingConsumer(buffer);
    const dead = new EventOutlet("test", clock, { awaitSpace() {} }, () => {});
    dead.addTarget(new RingProducer(buffer, wake()), "consumer");
    for (const value of ["a1", "a2", "a3", "a4", "a5"]) dead.send(value);
    dead.flush();
    dead.send("never published: dies with its agent");
    const received: unknown[] = [];
    const take = (max: number) => consumer.poll((bytes, offset, length, codecId) => void received.push(codecById(codecId)!.decode(bytes, offset, length)), max);
    take(3);
    consumer.markDurable(3);
    const successor = new EventOutlet("test", clock, { awaitSpace() {} }, () => {});
    successor.addTarget(new RingProducer(buffer, wake()), "consumer");
    successor.send("b1");
    successor.send("b2");
    successor.flush();
    // The ring's counts (3 consumed, 3 durable) are the predecessor's events, not b1 and b2.
    expect([successor.deliveredSequence(), successor.durableSequence()]).toEqual([0, 0]);
    take(3);
    consumer.markDurable(6);
    expect([successor.deliveredSequence(), successor.durableSequence()]).toEqual([1, 1]);
    take(10);
    expect(successor.deliveredSequence()).toBe(2);
    expect(successor.durableSequence()).toBe(1);
    consumer.markDurable(7);
    expect(successor.durableSequence()).toBe(2);
    expect(received).toEqual(["a1", "a2", "a3", "a4", "a5", "b1", "b2"]);
  });

  it("abandons a claim that is never committed: nothing is published for it, and the outlet sends, claims and closes as before", () => {
    const { producer, consumer } = ring();
    let dropped = 0;
    const outlet = new EventOutlet("test", clock, { awaitSpace() {} }, () => dropped++);
    outlet.addTarget(producer, "consumer");
    const received: { sequence: number; value: unknown }[] = [];
    const take = () => consumer.poll((bytes, offset, length, codecId, sequence) => void received.push({ sequence, value: codecById(codecId)!.decode(bytes, offset, length) }), 100);
    const claimAndWrite = (value: unknown) => {
      const encoder = new EventEncoder("test");
      const length = encoder.encode(value);
      const at = outlet.claim(length);
      expect(at).toBeGreaterThanOrEqual(0);
      outlet.claimedBytes.set(encoder.bytes.subarray(0, length), at);
      return { codecId: encoder.codecId, length };
    };

    claimAndWrite("abandoned");
    expect(outlet.send("sent behind the claim")).toBe(1); // queued behind the open claim
    outlet.abandonClaim();
    outlet.flush();
    take();
    expect(received).toEqual([{ sequence: 1, value: "sent behind the claim" }]);

    const claimed = claimAndWrite("claimed after");
    expect(outlet.commitClaimed(claimed.codecId, claimed.length)).toBe(2);
    outlet.send("sent after");
    outlet.flush();
    take();
    expect(received.slice(1)).toEqual([{ sequence: 2, value: "claimed after" }, { sequence: 3, value: "sent after" }]);

    claimAndWrite("left open at close");
    outlet.send("queued at close");
    expect(outlet.close()).toBe(0);
    take();
    expect(received.slice(3)).toEqual([{ sequence: 4, value: "queued at close" }]);
    expect(consumer.isDrained()).toBe(true);
    expect(dropped).toBe(0);
  });
});
