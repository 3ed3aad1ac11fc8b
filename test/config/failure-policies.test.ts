import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../src/config/plan.ts";
import { yamlProblems } from "../helpers.ts";

/** One handler `h` with the given extra keys (YAML lines indented under it). */
const handlerWith = (lines: string) => `eventHandlers:
  - agentName: p
    eventHandlers:
      h:
        handler: ./h.ts
${lines}`;

describe("retry and circuitBreaker configuration", () => {
  it("plans a handler's retry and circuitBreaker with their defaults, and a sink's circuitBreaker", () => {
    const plan = buildPlan({
      eventSinks: [{ name: "out", type: "file", filename: "out.txt", circuitBreaker: { whenOpen: "hold" } }],
      eventHandlers: [{ agentName: "p", eventHandlers: { h: { handler: "./h.ts", retry: {}, circuitBreaker: { failures: 2 } } } }],
    }, { baseDir: "/srv/app" });
    const handler = plan.agents.find((a) => a.name === "p")!.handlers[0];
    expect(handler.retry).toEqual({ attempts: 3, backoffMs: 100, maxBackoffMs: 10_000, ordered: true });
    expect(handler.circuitBreaker).toEqual({ failures: 2, windowMs: 10_000, openMs: 30_000, whenOpen: "deadLetter" });
    const sink = plan.sinks.find((s) => s.name === "out")!;
    expect(sink.circuitBreaker).toEqual({ failures: 5, windowMs: 10_000, openMs: 30_000, whenOpen: "hold" });
    expect(sink.settings).not.toHaveProperty("circuitBreaker");
  });

  it("leaves both out when not configured", () => {
    const plan = buildPlan({ eventHandlers: [{ agentName: "p", eventHandlers: { h: { handler: "./h.ts" } } }] }, { baseDir: "/srv/app" });
    const handler = plan.agents.find((a) => a.name === "p")!.handlers[0];
    expect(handler.retry).toBeUndefined();
    expect(handler.circuitBreaker).toBeUndefined();
  });

  it("rejects bad values and unknown keys, located in the YAML", () => {
    expect(yamlProblems(handlerWith("        retry: { attempts: 1 }\n"))).toEqual([
      "app.yaml:6:28 eventHandlers[0].eventHandlers.h.retry.attempts: must be ≥ 2 (the first call and at least one retry), got 1",
    ]);
    expect(yamlProblems(handlerWith("        retry: { backoffMs: 500, maxBackoffMs: 100 }\n"))).toEqual([
      expect.stringMatching(/^app\.yaml:6:\d+ eventHandlers\[0\]\.eventHandlers\.h\.retry\.maxBackoffMs: must be ≥ backoffMs/),
    ]);
    expect(yamlProblems(handlerWith("        retry: { backoffMs: -1 }\n"))).toEqual([
      expect.stringMatching(/retry\.backoffMs: must be ≥ 0, got -1$/),
    ]);
    expect(yamlProblems(handlerWith("        retry: { tries: 3 }\n"))).toEqual([expect.stringMatching(/retry\.tries: unknown key/)]);
    expect(yamlProblems(handlerWith("        retry: { ordered: maybe }\n"))).toEqual([expect.stringMatching(/retry\.ordered: .*boolean/)]);
    expect(yamlProblems(handlerWith("        circuitBreaker: { whenOpen: drop }\n"))).toEqual([
      expect.stringMatching(/circuitBreaker\.whenOpen: expected one of deadLetter, hold, got "drop"$/),
    ]);
    expect(yamlProblems(handlerWith("        circuitBreaker: { failures: 0 }\n"))).toEqual([expect.stringMatching(/circuitBreaker\.failures: must be ≥ 1, got 0$/)]);
    expect(yamlProblems(handlerWith("        circuitBreaker: { openMs: 0 }\n"))).toEqual([expect.stringMatching(/circuitBreaker\.openMs: must be ≥ 1, got 0$/)]);
    expect(yamlProblems("eventSinks:\n  - { name: s, type: console, circuitBreaker: { windowMs: .inf } }\n")).toEqual([
      expect.stringMatching(/^app\.yaml:2:\d+ eventSinks\[0\]\.circuitBreaker\.windowMs: must be a finite number/),
    ]);
  });

  it("refuses a dead-letter sink whose open circuit would dead-letter to itself", () => {
    expect(yamlProblems("eventSinks:\n  - { name: dlq, type: console, circuitBreaker: { whenOpen: deadLetter } }\ndeadLetter: dlq\n")).toEqual([
      expect.stringMatching(/eventSinks\[0\]\.circuitBreaker\.whenOpen: "dlq" is the dead-letter sink: while its circuit is open it can only hold values/),
    ]);
    expect(yamlProblems("eventSinks:\n  - { name: dlq, type: console, circuitBreaker: { whenOpen: hold } }\ndeadLetter: dlq\n")).toEqual([]);
  });
});
