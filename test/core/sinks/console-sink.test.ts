import { describe, expect, it } from "bun:test";
import { ConsoleSink } from "../../../src/core/sinks/console-sink.ts";

describe("console sink", () => {
  it("writes strings as they are and other values as JSON, one line each, on flush and on stop", () => {
    const written: string[] = [];
    const sink = new ConsoleSink("c", (text) => written.push(text));
    sink.accept("plain text");
    sink.accept({ pnl: 1.5 });
    expect(written).toEqual([]);
    sink.flush();
    expect(written).toEqual(["plain text\n{\"pnl\":1.5}"]);
    sink.accept(undefined);
    sink.stop();
    expect(written[1]).toBe("undefined");
  });
});
