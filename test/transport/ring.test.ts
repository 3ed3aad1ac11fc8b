import { describe, expect, it } from "bun:test";
import { BATCH_SIZE_BOUNDS, ConsumerGoneError, createRingBuffer, markConsumerGone, readRingStats, RingConsumer, RingProducer } from "../../src/transport/ring.ts";
import type { Backpressure } from "../../src/transport/ring.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";
import { DROP_OLDEST } from "../../src/transport/full-ring-policy.ts";

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

  describe("batch records", () => {
    const ITEM = 16;
    /** Claims up to `count` 16-byte events, fills event i with words [first + i, 0xBA7C], commits `commit ?? all`; returns how many were claimed. */
    function writeBatch(producer: RingProducer, first: number, count: number, commit?: number): number {
      const claimed = producer.claimBatch(ITEM, count);
      const words = new Uint32Array(producer.bytes.buffer, producer.bytes.byteOffset, producer.bytes.length / 4);
      for (let i = 0; i < claimed; i++) {
        words[(producer.batchOffset + i * ITEM) >> 2] = first + i;
        words[((producer.batchOffset + i * ITEM) >> 2) + 1] = 0xBA7C;
      }
      producer.commitBatch(9, first, 5_000, ITEM, commit ?? claimed);
      return claimed;
    }
    function drainBatches(consumer: RingConsumer, limit = 1_000_000): { id: number; length: number; codec: number; sequence: number; at: number }[] {
      const out: { id: number; length: number; codec: number; sequence: number; at: number }[] = [];
      consumer.poll((bytes, offset, length, codec, sequence, at) => {
        const words = new Uint32Array(bytes.buffer, bytes.byteOffset + offset, 2);
        expect(words[1]).toBe(0xBA7C);
        out.push({ id: words[0], length, codec, sequence, at });
      }, limit);
      return out;
    }

    it("deliver each event of a batch as a record of its own: consecutive sequences, the batch's codec and time, one header for all", () => {
      const { buffer, producer, consumer } = pair();
      expect(writeBatch(producer, 1, 10)).toBe(10);
      expect(drainBatches(consumer)).toEqual([]); // not before publish
      producer.publish();
      const received = drainBatches(consumer);
      expect(received).toEqual(Array.from({ length: 10 }, (_, i) => ({ id: i + 1, length: ITEM, codec: 9, sequence: i + 1, at: 5_000 })));
      const stats = readRingStats(buffer);
      expect([stats.publishedEvents, stats.consumedEvents, stats.depth]).toEqual([10, 10, 0]);
      // 24-byte header + 8-byte count/length prefix + 10 × 16 bytes, against 10 × (24 + 16) as single records.
      expect(stats.usedBytes).toBe(0);
      writeBatch(producer, 11, 10);
      producer.publish();
      expect(readRingStats(buffer).usedBytes).toBe(24 + 8 + 10 * ITEM);
    });

    it("hold what fits before the end of the data, then start at offset 0 behind padding, in order over many laps", () => {
      const { producer, consumer } = pair(1024);
      const received: number[] = [];
      let next = 1;
      let smaller = 0;
      for (let lap = 0; lap < 200; lap++) {
        const claimed = writeBatch(producer, next, 13);
        expect(claimed).toBeGreaterThan(0);
        if (claimed < 13) smaller++;
        next += claimed;
        producer.publish();
        if (lap % 3 === 2) received.push(...drainBatches(consumer).map((r) => r.id));
      }
      received.push(...drainBatches(consumer).map((r) => r.id));
      expect(smaller).toBeGreaterThan(0);
      expect(received).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
    });

    it("claim only the room there is (none when full), cap a batch at a quarter of the ring, and commit fewer or none of what was claimed", () => {
      const { buffer, producer, consumer } = pair(1024);
      expect(producer.maxBatchEvents(ITEM)).toBe(Math.floor((1024 / 4 - 24 - 8) / ITEM));
      expect(producer.claimBatch(ITEM, 1000)).toBe(producer.maxBatchEvents(ITEM));
      producer.commitBatch(9, 1, 0, ITEM, 0); // abandoned: nothing written
      expect(writeBatch(producer, 1, 5, 2)).toBe(5); // claimed 5, committed 2
      producer.publish();
      expect(drainBatches(consumer).map((r) => r.id)).toEqual([1, 2]);
      let claimed = 0;
      for (let first = 3; (claimed = writeBatch(producer, first, 14)) > 0; first += claimed) producer.publish();
      expect(producer.claimBatch(ITEM, 1)).toBe(0);
      const stats = readRingStats(buffer);
      expect(stats.capacityBytes - stats.usedBytes).toBeLessThan(24 + 8 + ITEM);
      expect(drainBatches(consumer).length).toBe(stats.publishedEvents - 2);
      expect(producer.claimBatch(ITEM, 1)).toBe(1);
    });

    it("are discarded whole by a dropOldest producer, every event counted, and delivered whole by a consumer taking each record", () => {
      const buffer = createRingBuffer(1024, 7, DROP_OLDEST);
      const producer = new RingProducer(buffer, wake());
      const consumer = new RingConsumer(buffer);
      let next = 1;
      for (let claimed = 0; (claimed = writeBatch(producer, next, 6)) > 0;) next += claimed;
      producer.publish();
      const batched = next - 1;
      const single = new Uint8Array(ITEM);
      const singleWords = new Uint32Array(single.buffer);
      for (let i = 0; i < 20; i++, next++) {
        singleWords[0] = next;
        singleWords[1] = 0xBA7C;
        expect(producer.write(9, next, 0, single, ITEM, { awaitSpace: () => {} })).toBe(true);
      }
      producer.publish();
      const stats = readRingStats(buffer);
      expect(stats.droppedOldest).toBeGreaterThan(0);
      expect(stats.droppedOldest % 6).toBe(0); // whole batches of 6
      const received = drainBatches(consumer).map((r) => r.id);
      expect(received.length + stats.droppedOldest).toBe(next - 1);
      expect(received).toEqual(Array.from({ length: received.length }, (_, i) => next - received.length + i));
      expect(batched).toBeGreaterThan(stats.droppedOldest - 1);
    });
  });

  it("rejects capacities that are not powers of two", () => {
    expect(() => createRingBuffer(1000, 0)).toThrow(/power of two/);
    expect(() => createRingBuffer(512, 0)).toThrow(/power of two/);
  });
});
