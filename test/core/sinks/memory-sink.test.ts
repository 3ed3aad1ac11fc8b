import { describe, expect, it } from "bun:test";
import { MemorySink } from "../../../src/core/sinks/memory-sink.ts";


describe("memory sink", () => {
  it("keeps values in arrival order; values() copies, take() empties", () => {
    const sink = new MemorySink<number>("m");
    sink.accept(1);
    sink.accept(2);
    const snapshot = sink.values();
    snapshot.push(99);
    expect(sink.values()).toEqual([1, 2]);
    expect(sink.take()).toEqual([1, 2]);
    expect(sink.size).toBe(0);
  });

  it("waitFor resolves once enough values arrived, and times out saying how many did", async () => {
    const sink = new MemorySink<string>("m");
    const waiting = sink.waitFor(2, 1000);
    sink.accept("a");
    sink.accept("b");
    sink.accept("c");
    expect(await waiting).toEqual(["a", "b"]);
    await expect(sink.waitFor(10, 20)).rejects.toThrow(`memory sink "m": waited 20 ms for 10 values, have 3 values`);
    expect(await sink.waitUntil((values) => values.includes("c"))).toEqual(["a", "b", "c"]);
  });
});
