import { describe, expect, it } from "bun:test";
import { createLogger } from "../../src/log/log.ts";

describe("logger", () => {
  it("writes text lines with context fields, and honours the level", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", format: "text" }, { agent: "a" }, (line) => lines.push(line)).child({ handler: "h b" });
    log.debug("hidden");
    log.info("started", { count: 2, error: new Error("why") });
    expect(lines.length).toBe(1);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  started agent=a handler="h b" count=2 error="why"$/);
    expect(log.enabled("debug")).toBe(false);
  });

  it("leaves out fields without a value, in text and JSON lines", () => {
    const lines: string[] = [];
    for (const format of ["text", "json"] as const) {
      createLogger({ level: "info", format }, {}, (line) => lines.push(line)).error("boom", { phase: "stop", feed: undefined, sequenceNumber: undefined, count: 0 });
    }
    expect(lines[0]).toMatch(/ERROR boom phase=stop count=0$/);
    expect(JSON.parse(lines[1])).toEqual({ time: expect.any(String), level: "error", message: "boom", phase: "stop", count: 0 });
  });

  it("writes JSON lines", () => {
    const lines: string[] = [];
    createLogger({ level: "debug", format: "json" }, { agent: "a" }, (line) => lines.push(line)).warn("slow", { ms: 5 });
    expect(JSON.parse(lines[0])).toMatchObject({ level: "warn", message: "slow", agent: "a", ms: 5 });
  });

  it("silent writes nothing", () => {
    const lines: string[] = [];
    createLogger({ level: "silent", format: "text" }, {}, (line) => lines.push(line)).error("x");
    expect(lines).toEqual([]);
  });
});
