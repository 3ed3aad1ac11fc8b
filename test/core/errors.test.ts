import { describe, expect, it } from "bun:test";
import { ErrorReporter, summarizeEvent } from "../../src/core/errors.ts";
import { createLogger } from "../../src/log/log.ts";

describe("error reporting", () => {
  it("summarizes any event briefly, without throwing", () => {
    expect(summarizeEvent({ id: 7 })).toBe(`{"id":7}`);
    expect(summarizeEvent("text")).toBe(`"text"`);
    expect(summarizeEvent(undefined)).toBe("undefined");
    expect(summarizeEvent({ big: 1n, list: [-(2n ** 64n)] })).toBe(`{"big":"1n","list":["-18446744073709551616n"]}`);
    expect(summarizeEvent("x".repeat(1000)).length).toBe(200);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(summarizeEvent(cyclic)).toBe("[object Object]");
  });

  it("forwards at most 10 reports per component per window and says how many it suppressed", () => {
    const forwarded: { suppressed?: number }[] = [];
    const reporter = new ErrorReporter(createLogger({ level: "silent", format: "text" }), (report) => forwarded.push(report));
    const report = () => ({ time: 0, source: "handler" as const, agent: "a", component: "h", phase: "onEvent", message: "boom" });
    for (let i = 0; i < 25; i++) reporter.report(report());
    reporter.report({ ...report(), component: "other" });
    expect(forwarded.length).toBe(11);
    expect(forwarded.every((r) => r.suppressed === undefined)).toBe(true);
  });
});
