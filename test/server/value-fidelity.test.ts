import { describe, expect, it } from "bun:test";
import { Buffer } from "node:buffer";
import { CodecError, defineEvent, type ErrorReport, type MongooseConfig } from "../../src/mod.ts";
import { boot } from "../helpers.ts";

const forwarding: MongooseConfig = {
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
};

const WIDE = defineEvent("Wide", { id: "i32", big: "i64", huge: "u64" });

class Point {
  x = 1;
}

for (const inline of [false, true]) {
  const mode = inline ? "inline agents" : "worker agents";

  describe(`values through the engine (${mode})`, () => {
    it("arrive exactly: lone surrogates, bigints, sparse arrays and null-prototype objects", async () => {
      const server = await boot(forwarding, { inline });
      const bare = Object.assign(Object.create(null), { a: 1 });
      // deno-lint-ignore no-sparse-arrays
      const sparse = [1, , 3];
      try {
        server.offer("in", "a\uD800b");
        server.offer("in", { text: "\uDC00x", [`key\uD800`]: 1 });
        server.offer("in", { big: 1n, negative: -(2n ** 64n) - 7n });
        server.offer("in", { list: sparse });
        server.offer("in", bare);
        await server.sink("out").waitFor(5);
      } finally {
        await server.stop();
      }
      const [text, object, bigints, list, nullPrototype] = server.sink<Record<string, unknown>>("out").values();
      expect(text).toBe("a\uD800b");
      expect(object).toEqual({ text: "\uDC00x", [`key\uD800`]: 1 });
      expect(bigints).toEqual({ big: 1n, negative: -(2n ** 64n) - 7n });
      const arrived = list.list as unknown[];
      expect([arrived.length, 0 in arrived, 1 in arrived, arrived[2]]).toEqual([3, true, false, 3]);
      expect(Object.getPrototypeOf(nullPrototype)).toBeNull();
      expect({ ...nullPrototype }).toEqual({ a: 1 });
    });

    it("refuse class instances and Buffers at offer, naming the path, and lose nothing around them", async () => {
      const server = await boot(forwarding, { inline });
      try {
        server.offer("in", 1);
        expect(() => server.offer("in", { at: new Point() })).toThrow(/feed "in": cannot encode an instance of Point .* at \.at/);
        expect(() => server.offer("in", { raw: [Buffer.from("x")] })).toThrow(/feed "in": cannot encode an instance of Buffer \(a Uint8Array subclass.* at \.raw\[0\]/);
        expect(() => server.offer("in", { raw: [Buffer.from("x")] })).toThrow(CodecError);
        server.offer("in", 2);
        await server.sink("out").waitFor(2);
      } finally {
        await server.stop();
      }
      expect(server.sink("out").values()).toEqual([1, 2]);
    });

    it("let a handler pass on toObject() copies of events with i64/u64 fields", async () => {
      const server = await boot({
        eventTypes: [WIDE],
        eventFeeds: [{ name: "wide", type: "memory", broadcast: true, eventType: "Wide" }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "processor", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
      }, { inline, logLevel: "silent" });
      try {
        server.offer("wide", { id: 1, big: -(2n ** 63n), huge: 2n ** 64n - 1n });
        server.offer("wide", { id: 2, big: 1n, huge: 0n });
        await server.sink("out").waitFor(2);
      } finally {
        await server.stop();
      }
      expect(server.errors()).toEqual([]);
      expect(server.sink<{ value: unknown }>("out").values().map((v) => v.value)).toEqual([
        { id: 1, big: -(2n ** 63n), huge: 2n ** 64n - 1n },
        { id: 2, big: 1n, huge: 0n },
      ]);
    });

    it("show bigint fields of a failing event as bigints in the error report", async () => {
      const server = await boot({
        eventTypes: [WIDE],
        eventFeeds: [{ name: "wide", type: "memory", broadcast: true, eventType: "Wide" }],
        eventHandlers: [{ agentName: "processor", eventHandlers: { refuser: { handler: "./refuser.ts" } } }],
      }, { inline, logLevel: "silent" });
      const reports: ErrorReport[] = [];
      server.onError((report) => reports.push(report));
      try {
        server.offer("wide", { id: 1, big: 1n, huge: 2n ** 64n - 1n });
        await server.stop();
      } finally {
        await server.stop();
      }
      expect(reports.map((report) => report.event)).toEqual([`{"id":1,"big":"1n","huge":"18446744073709551615n"}`]);
    });

    it("refuse a Map, Date, Set or class instance offered to a typed feed as not a plain object", async () => {
      const server = await boot({
        eventTypes: [WIDE],
        eventFeeds: [{ name: "wide", type: "memory", broadcast: true, eventType: "Wide" }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "processor", eventHandlers: { rec: { handler: "./fixed-recorder.ts" } } }],
      }, { inline });
      try {
        const offered: [unknown, string][] = [
          [new Map([["id", 1]]), "a Map"], [new Date(0), "a Date"], [new Set([1]), "a Set"],
          [new Point(), "a Point"], [Object.create({ id: 1 }), "an object with a custom prototype"], [[1, 2], "an array"],
        ];
        for (const [value, got] of offered) {
          expect(() => server.offer("wide", value)).toThrow(`feed "wide": Wide: expected a Wide flyweight or a plain object, got ${got}`);
        }
        server.offer("wide", Object.assign(Object.create(null), { id: 3, big: 3n, huge: 3n }));
        await server.sink("out").waitFor(1);
      } finally {
        await server.stop();
      }
      expect(server.sink<{ value: unknown }>("out").values().map((v) => v.value)).toEqual([{ id: 3, big: 3n, huge: 3n }]);
    });
  });
}
