import { describe, expect, it } from "bun:test";
import { BATCH_SIZE_BOUNDS, ConsumerGoneError, createRingBuffer, markConsumerGone, readRingStats, RingConsumer, RingProducer } from "../../src/transport/ring.ts";
import type { Backpressure } from "../../src/transport/ring.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";

const wake = () => new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0);

function pair(capacity = 1024) {
  const buffer = createRingBuffer(capacity, 7);
  return { buffer, producer: new RingProducer(buffer, wake()), consumer: new RingConsumer(buffer) };
}

type Received = { text: string; codec: number; sequence: number; at: number };
const decoder = new TextDecoder();

function drain(consumer: RingConsumer, limit = 1_000_000): Received[] {
  const out: Received[] = [];
  consumer.poll((bytes, offset, length, codec, sequence, at) => {
    out.push({ text: decoder.decode(bytes.slice(offset, offset + length)), codec, sequence, at });
  }, limit);
  return out;
}

/** Backpressure for single-threaded tests: drains the consumer into `sink` when the ring is full. */
function drainingInto(consumer: RingConsumer, sink: Received[]): Backpressure {
  return { awaitSpace: () => void sink.push(...drain(consumer)) };
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

/** Writes `count` small events and publishes them at once. */
function publishTexts(producer: RingProducer, count: number): void {
  for (let i = 0; i < count; i++) {
    const bytes = bytesOf(`e${i}`);
    producer.write(1, i, 0, bytes, bytes.length, { awaitSpace: () => {} });
  }
  producer.publish();
}

describe("SPSC ring", () => {
  it("delivers committed records only after publish, with their header", () => {
    const { producer, consumer } = pair();
    const payload = bytesOf("hello");
    const at = producer.claim(payload.length);
    producer.bytes.set(payload, at);
    producer.commit(2, 41, 123.5, payload.length);
    expect(drain(consumer)).toEqual([]);
    producer.publish();
    expect(drain(consumer)).toEqual([{ text: "hello", codec: 2, sequence: 41, at: 123.5 }]);
    expect(consumer.feedId).toBe(7);
  });

  it("wraps around with padding and keeps FIFO order over many laps", () => {
    const { producer, consumer } = pair(1024);
    const sent: string[] = [];
    const received: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const payload = bytesOf(`event-${i}-${"x".repeat(i % 37)}`);
      let at = producer.claim(payload.length);
      while (at < 0) {
        producer.publish();
        for (const r of drain(consumer, 3)) received.push(r.text);
        at = producer.claim(payload.length);
      }
      producer.bytes.set(payload, at);
      producer.commit(1, i, 0, payload.length);
      sent.push(decoder.decode(payload));
      if (i % 5 === 0) producer.publish();
    }
    producer.publish();
    for (const r of drain(consumer)) received.push(r.text);
    expect(received).toEqual(sent);
  });

  it("reports full, then accepts again once the consumer frees space", () => {
    const { producer, consumer } = pair(1024);
    const payload = new Uint8Array(100);
    let written = 0;
    while (producer.claim(payload.length) >= 0) {
      producer.commit(1, ++written, 0, payload.length);
    }
    expect(written).toBe(8); // 1024 / align8(24 + 100)
    producer.publish();
    expect(drain(consumer, 1).length).toBe(1);
    expect(producer.claim(payload.length)).toBeGreaterThanOrEqual(0);
  });

  it("writes through backpressure and fragments payloads larger than a quarter ring", () => {
    const { producer, consumer } = pair(1024);
    const received: Received[] = [];
    const backpressure = drainingInto(consumer, received);
    const texts = Array.from({ length: 3000 }, (_, i) => `${i}:` + "abcdefghij".repeat(i % 120));
    texts.forEach((text, i) => {
      const bytes = bytesOf(text);
      producer.write(1, i + 1, i, bytes, bytes.length, backpressure);
    });
    producer.publish();
    received.push(...drain(consumer));
    expect(received.map((r) => r.text)).toEqual(texts);
    expect(received.map((r) => r.sequence)).toEqual(texts.map((_, i) => i + 1));
    const stats = readRingStats(producer.buffer);
    expect(stats.publishedEvents).toBe(3000);
    expect(stats.consumedEvents).toBe(3000);
    expect(stats.depth).toBe(0);
    expect(stats.stalls).toBeGreaterThan(0);
  });

  it("reports drained only after close and full consumption", () => {
    const { producer, consumer } = pair();
    const bytes = bytesOf("last");
    producer.write(1, 1, 0, bytes, bytes.length, { awaitSpace: () => {} });
    producer.close();
    expect(consumer.isDrained()).toBe(false);
    expect(consumer.hasPending()).toBe(true);
    expect(drain(consumer).map((r) => r.text)).toEqual(["last"]);
    expect(consumer.isDrained()).toBe(true);
    expect(readRingStats(producer.buffer).producerClosed).toBe(true);
  });

  it("stops waiting with ConsumerGoneError when the consumer is marked gone", () => {
    const { buffer, producer } = pair(1024);
    const big = new Uint8Array(200);
    let waits = 0;
    const backpressure: Backpressure = {
      awaitSpace: () => {
        if (++waits === 2) markConsumerGone(buffer);
      },
    };
    expect(() => {
      for (let i = 0; i < 100; i++) producer.write(1, i, 0, big, big.length, backpressure);
    }).toThrow(ConsumerGoneError);
    expect(readRingStats(buffer).consumerGone).toBe(true);
  });

  it("keeps delivering after a handler throws, without re-reading the bad record", () => {
    const { producer, consumer } = pair();
    for (const text of ["a", "boom", "c"]) {
      const bytes = bytesOf(text);
      producer.write(1, 0, 0, bytes, bytes.length, { awaitSpace: () => {} });
    }
    producer.publish();
    const seen: string[] = [];
    const handler = (bytes: Uint8Array, offset: number, length: number) => {
      const text = decoder.decode(bytes.slice(offset, offset + length));
      seen.push(text);
      if (text === "boom") throw new Error("handler failed");
    };
    expect(() => consumer.poll(handler, 10)).toThrow("handler failed");
    consumer.poll(handler, 10);
    expect(seen).toEqual(["a", "boom", "c"]);
  });

  it("keeps the deepest backlog its consumer found when polling, and a fresh ring reports none", () => {
    const { buffer, producer, consumer } = pair(1 << 16);
    expect(readRingStats(buffer)).toMatchObject({ highWaterMark: 0, batchSizes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
    publishTexts(producer, 5);
    expect(readRingStats(buffer).highWaterMark).toBe(0); // written by the consumer, when it polls
    expect(drain(consumer, 2)).toHaveLength(2);
    expect(readRingStats(buffer).highWaterMark).toBe(5);
    publishTexts(producer, 1);
    drain(consumer);
    expect(readRingStats(buffer).highWaterMark).toBe(5); // a backlog of 4 does not lower it
    publishTexts(producer, 9);
    drain(consumer);
    expect(readRingStats(buffer)).toMatchObject({ highWaterMark: 9, depth: 0 });
    publishTexts(producer, 3);
    drain(new RingConsumer(buffer)); // a consumer taking over the ring keeps its record
    expect(readRingStats(buffer).highWaterMark).toBe(9);
  });

  it("counts each non-empty poll in the power-of-two bucket of the events it took", () => {
    const { buffer, producer, consumer } = pair(1 << 16);
    const takes = [1, 2, 3, 4, 5, 256, 257, 300];
    for (const take of takes) {
      publishTexts(producer, take);
      expect(drain(consumer, take)).toHaveLength(take);
    }
    expect(drain(consumer)).toEqual([]); // an empty poll counts nowhere
    const stats = readRingStats(buffer);
    // Buckets ≤1, ≤2, ≤4, ≤8, ≤16, ≤32, ≤64, ≤128, ≤256, >256.
    expect(stats.batchSizes).toEqual([1, 1, 2, 1, 0, 0, 0, 0, 1, 2]);
    expect(BATCH_SIZE_BOUNDS).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    expect(stats.consumedEvents).toBe(takes.reduce((a, b) => a + b, 0));
  });

  it("a consumer that takes over a ring resumes where its predecessor released it: a fragmented event it cannot rebuild is skipped whole", () => {
    const { buffer, producer, consumer } = pair(1024);
    publishTexts(producer, 2);
    expect(drain(consumer).map((r) => r.text)).toEqual(["e0", "e1"]);
    const fragment = (kind: number, text: string) => {
      const bytes = bytesOf(text);
      producer.bytes.set(bytes, producer.claim(bytes.length));
      producer.commit(1, 9, 0, bytes.length, kind);
    };
    fragment(3, "first-"); // published mid-event, as when the producer stalls between fragments
    producer.publish();
    expect(drain(consumer)).toEqual([]);
    const successor = new RingConsumer(buffer); // the predecessor's agent died holding the first fragment
    fragment(4, "middle-");
    fragment(5, "last");
    publishTexts(producer, 1);
    expect(drain(successor).map((r) => r.text)).toEqual(["e0"]);
    expect(readRingStats(buffer).depth).toBe(0);
    const next = new RingProducer(buffer, wake()); // and a new producer counts on from the old one
    publishTexts(next, 1);
    expect(readRingStats(buffer).publishedEvents).toBe(5);
    expect(drain(successor).map((r) => r.text)).toEqual(["e0"]);
  });

  it("changes its policy while in use: into dropOldest (consumer first) the oldest go, back to block nothing is dropped", () => {
    const { buffer, producer, consumer } = pair();
    const full = { awaitSpace: () => { throw new Error("full"); } };
    const write = (text: string) => producer.write(1, 0, 0, bytesOf(text), text.length, full);
    consumer.takeEachRecord(true);
    producer.changePolicy("dropOldest");
    expect(readRingStats(buffer).onFull).toBe("dropOldest");
    for (let i = 0; i < 100; i++) expect(write(`n${i}`)).toBe(true); // ~3 KiB through a 1 KiB ring
    producer.publish();
    const kept = drain(consumer).map((r) => r.text);
    expect(kept.at(-1)).toBe("n99");
    expect(kept.length + readRingStats(buffer).droppedOldest).toBe(100);

    producer.changePolicy("block");
    consumer.takeEachRecord(false);
    expect(write("after")).toBe(true);
    producer.publish();
    expect(drain(consumer).map((r) => r.text)).toEqual(["after"]);
    for (let i = 0; i < 100 && producer.hasRoomFor(8); i++) write(`b${i}`);
    expect(() => write("one too many")).toThrow("full"); // block waits (here: gives up) instead of dropping
    expect(readRingStats(buffer)).toMatchObject({ onFull: "block", droppedNewest: 0 });
  });

  it("rejects capacities that are not powers of two", () => {
    expect(() => createRingBuffer(1000, 0)).toThrow(/power of two/);
    expect(() => createRingBuffer(512, 0)).toThrow(/power of two/);
  });
});
