import { describe, expect, it } from "bun:test";
import { EventOutlet } from "../../src/core/event-outlet.ts";
import { ServerClock } from "../../src/time/clock.ts";
import { ByteBuffer } from "../../src/transport/byte-buffer.ts";
import { CodecTable } from "../../src/transport/codecs.ts";
import { jsonTextCodec, jsonTextMirrorCodec } from "../../src/transport/json-text-codec.ts";
import { type Backpressure, createRingBuffer, RingConsumer, RingProducer } from "../../src/transport/ring.ts";
import { stringCodec } from "../../src/transport/string-codec.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";
import { appendTrace, readTraceparent, TRACE_SUFFIX_BYTES, TRACED_CODEC_ID, tracedCodecId } from "../../src/transport/traced-record.ts";

/** The ring is large enough: nothing ever waits. */
const NEVER_FULL: Backpressure = { awaitSpace: () => {} };
const TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traced records", () => {
  it("carry the traceparent and the event's own codec after its bytes, through a ring, next to plain records", () => {
    const ring = createRingBuffer(1 << 12, 1);
    const producer = new RingProducer(ring, new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0));
    const buffer = new ByteBuffer(16);
    const plain = stringCodec.encode("plain", buffer);
    producer.write(stringCodec.id, 1, 0, buffer.bytes, plain, NEVER_FULL);
    const traced = appendTrace(buffer, stringCodec.encode("traced", buffer), stringCodec.id, TRACEPARENT);
    producer.write(TRACED_CODEC_ID, 2, 0, buffer.bytes, traced, NEVER_FULL);
    producer.publish();

    const codecs = new CodecTable();
    const seen: [unknown, string | undefined][] = [];
    new RingConsumer(ring).poll((bytes, offset, length, codecId) => {
      if (codecId !== TRACED_CODEC_ID) return seen.push([codecs.get(codecId)!.decode(bytes, offset, length), undefined]);
      const own = tracedCodecId(bytes, offset, length);
      seen.push([codecs.get(own)!.decode(bytes, offset, length - TRACE_SUFFIX_BYTES), readTraceparent(bytes, offset, length)]);
    }, 10);
    expect(seen).toEqual([["plain", undefined], ["traced", TRACEPARENT]]);
  });
});

describe("traced records from an outlet to several rings", () => {
  it("name the codec's mirror for every ring but the first, as plain records do (a bad JSON line is reported once)", () => {
    const rings = [createRingBuffer(1 << 12, 1), createRingBuffer(1 << 12, 1)];
    const outlet = new EventOutlet("test", new ServerClock(performance.timeOrigin), NEVER_FULL, () => {});
    rings.forEach((buffer, i) => outlet.addTarget(new RingProducer(buffer, new WakeSignal(new Int32Array(new SharedArrayBuffer(64)), 0)), `agent-${i}`));
    for (let i = 0; i < 2; i++) outlet.send({ text: '{"a":1}', line: 1, offset: -1 }, true, jsonTextCodec, TRACEPARENT);
    outlet.flush();
    const ownIds = rings.map((buffer) => {
      const ids: number[] = [];
      new RingConsumer(buffer).poll((bytes, offset, length, codecId) => {
        expect(codecId).toBe(TRACED_CODEC_ID);
        expect(readTraceparent(bytes, offset, length)).toBe(TRACEPARENT);
        ids.push(tracedCodecId(bytes, offset, length));
      }, 10);
      return ids;
    });
    expect(ownIds).toEqual([[jsonTextCodec.id, jsonTextCodec.id], [jsonTextMirrorCodec.id, jsonTextMirrorCodec.id]]);
  });
});
