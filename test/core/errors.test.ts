import { describe, expect, it } from "bun:test";
import { ErrorReporter } from "../../src/core/error-reporter.ts";
import { type ErrorReport, summarizeEvent } from "../../src/core/errors.ts";
import { eventually } from "../helpers.ts";
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

  it("forwards at most 10 reports per component per window, then one summary of the rest when the window ends", async () => {
    const forwarded: ErrorReport[] = [];
    const lines: string[] = [];
    const reporter = new ErrorReporter(createLogger({ level: "error", format: "text" }, {}, (line) => lines.push(line)), (report) => forwarded.push(report), 50);
    const report = (i: number) => ({ time: i, source: "handler" as const, agent: "a", component: "h", phase: "onEvent", message: `TypeError: boom ${i}` });
    for (let i = 0; i < 1_025; i++) reporter.report(report(i));
    reporter.report({ ...report(0), component: "other" });
    expect(forwarded.length).toBe(11);
    expect(forwarded.every((r) => r.suppressed === undefined)).toBe(true);
    // No further error comes: the window's timer brings the summary.
    await eventually(() => forwarded.length === 12, "the summary at the end of the window");
    expect(forwarded[11]).toMatchObject({ source: "handler", agent: "a", component: "h", phase: "onEvent", suppressed: 1_015 });
    expect(lines[11]).toMatch(/ERROR handler h: 1,015 more errors suppressed in the last [\d.]+ s \(onEvent: TypeError: boom 1024\) source=handler agent=a component=h phase=onEvent suppressed=1015$/);
  });

  it("summarizes at once on flush, and not twice", () => {
    const forwarded: ErrorReport[] = [];
    const reporter = new ErrorReporter(createLogger({ level: "silent", format: "text" }), (report) => forwarded.push(report));
    for (let i = 0; i < 13; i++) reporter.report({ time: i, source: "sink", agent: "a", component: "out", phase: "flush", message: "ENOSPC" });
    reporter.flush();
    reporter.flush();
    expect(forwarded.map((r) => r.suppressed)).toEqual([...Array(10).fill(undefined), 3]);
    expect(forwarded[10].message).toMatch(/^sink out: 3 more errors suppressed in the last [\d.]+ s \(flush: ENOSPC\)$/);
  });
});
