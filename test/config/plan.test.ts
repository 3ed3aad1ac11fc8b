import { describe, expect, it } from "bun:test";
import { buildPlan, validateConfig } from "../../src/config/plan.ts";
import { ConfigError } from "../../src/mod.ts";

function problemsOf(config: unknown): string[] {
  try {
    validateConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("applies defaults", () => {
    const effective = validateConfig({ eventFeeds: [{ name: "f", type: "memory" }], eventSinks: [{ name: "s", type: "console" }] });
    expect(effective).toEqual({
      idleStrategy: "backoff",
      agentThreads: [],
      eventFeeds: [{ name: "f", type: "memory", broadcast: false, wrapWithNamedEvent: false, cacheEventLog: false }],
      eventSinks: [{ name: "s", type: "console" }],
      eventHandlers: [],
      services: [],
      pipes: [],
      admin: false,
    });
    expect(validateConfig(undefined).eventFeeds).toEqual([]);
  });

  it("plans agents: idle strategy from agentThreads, then the agent, then the default; pinning; modes", () => {
    class InProcess {
      onEvent() {}
    }
    const plan = buildPlan({
      idleStrategy: { type: "sleeping", sleepNanos: 5000 },
      agentThreads: [{ agentName: "pinned", idleStrategy: "busySpin", coreId: 1 }],
      eventFeeds: [{ name: "f", type: "memory", broadcast: true }],
      eventSinks: [{ name: "s", type: "memory" }],
      eventHandlers: [
        { agentName: "pinned", eventHandlers: { a: { handler: "./a.ts#Calc", configMap: { x: 1 } } } },
        { agentName: "own", idleStrategy: "blocking", eventHandlers: { b: { handler: "/abs/b.js" } } },
        { agentName: "fallback", eventHandlers: { c: { handler: InProcess } } },
      ],
    }, { baseDir: "/base" });
    expect(plan.agents.map((a) => [a.name, a.mode, a.idle, a.coreId])).toEqual([
      ["supervisor", "inline", { type: "blocking" }, undefined],
      ["pinned", "worker", { type: "busySpin" }, 1],
      ["own", "worker", { type: "blocking" }, undefined],
      ["fallback", "inline", { type: "sleeping", sleepNanos: 5000 }, undefined],
    ]);
    expect(plan.agents[1].handlers[0]).toEqual({
      name: "a",
      source: { kind: "module", url: "file:///base/a.ts", exportName: "Calc", display: "./a.ts" },
      config: { x: 1 },
      logLevel: undefined,
    });
    expect(plan.agents[2].handlers[0].source).toMatchObject({ url: "file:///abs/b.js", exportName: "default" });
    expect(plan.agents[0]).toMatchObject({ hostedFeeds: ["f"], hostedSinks: ["s"] });
    expect(plan.feeds).toEqual([{ id: 1, name: "f", type: "memory", broadcast: true, wrapWithNamedEvent: false, host: "supervisor" }]);
    expect(buildPlan({ eventHandlers: [{ agentName: "x", eventHandlers: { h: { handler: "./h.ts" } } }] }, { inline: true }).agents[1].mode).toBe("inline");
  });

  const invalid: [string, unknown, string][] = [
    ["unknown top-level key", { eventFeed: [] }, "eventFeed: unknown key"],
    ["unknown feed key", { eventFeeds: [{ name: "f", type: "memory", brodcast: true }] }, "eventFeeds[0].brodcast: unknown key"],
    ["unknown feed type", { eventFeeds: [{ name: "f", type: "kafka" }] }, `eventFeeds[0].type: feed type must be one of memory, got "kafka"`],
    ["feed without a name", { eventFeeds: [{ type: "memory" }] }, "eventFeeds[0].name: missing (required)"],
    ["empty feed name", { eventFeeds: [{ name: "", type: "memory" }] }, "eventFeeds[0].name: must not be empty"],
    ["broadcast not a boolean", { eventFeeds: [{ name: "f", type: "memory", broadcast: "yes" }] }, `eventFeeds[0].broadcast: expected boolean, got "yes"`],
    ["pre-start caching", { eventFeeds: [{ name: "f", type: "memory", cacheEventLog: true }] }, "eventFeeds[0].cacheEventLog: pre-start caching (cacheEventLog: true) is not available yet"],
    ["value mappers", { eventSinks: [{ name: "s", type: "console", valueMapper: "json" }] }, "eventSinks[0].valueMapper: valueMapper is not available in this version"],
    ["unknown sink type", { eventSinks: [{ name: "s", type: "kafka" }] }, `eventSinks[0].type: sink type must be one of memory, console, got "kafka"`],
    ["bad idle strategy name", { idleStrategy: "spinny" }, `idleStrategy: expected one of busySpin, noOp, yielding, backoff, sleeping, blocking or {type: …}, got "spinny"`],
    ["idle strategy parameter", { agentThreads: [{ agentName: "a", idleStrategy: { type: "sleeping", sleepNanos: -1 } }], eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } }] }, "agentThreads[0].idleStrategy.sleepNanos: must be ≥ 0"],
    ["fractional coreId", { agentThreads: [{ agentName: "a", coreId: 1.5 }], eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } }] }, "agentThreads[0].coreId: must be an integer"],
    ["reserved agent name", { eventHandlers: [{ agentName: "supervisor", eventHandlers: { h: { handler: "./h.ts" } } }] }, `eventHandlers[0].agentName: "supervisor" is reserved for the supervisor's own thread`],
    ["handler of the wrong kind", { eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: 42 } } }] }, "eventHandlers[0].eventHandlers.h.handler: expected a module path, a class, a factory function or an object with onEvent"],
    ["configMap not a map", { eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts", configMap: [1] } } }] }, "eventHandlers[0].eventHandlers.h.configMap: expected a map of keys to values"],
    ["duplicate feed", { eventFeeds: [{ name: "f", type: "memory" }, { name: "f", type: "memory" }] }, `eventFeeds: duplicate feed name "f"`],
    ["duplicate sink", { eventSinks: [{ name: "s", type: "memory" }, { name: "s", type: "console" }] }, `eventSinks: duplicate sink name "s"`],
    ["agent listed twice", { eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } }, { agentName: "a", eventHandlers: { g: { handler: "./g.ts" } } }] }, `eventHandlers: agent "a" is listed more than once (put all its handlers in one entry)`],
    ["agent without handlers", { eventHandlers: [{ agentName: "a", eventHandlers: {} }] }, `eventHandlers[0].eventHandlers: agent "a" has no handlers`],
    ["agentThreads naming no agent", { agentThreads: [{ agentName: "ghost" }] }, `agentThreads[0].agentName: "ghost" names no agent (known: none)`],
    ["idle strategy set twice", { agentThreads: [{ agentName: "a", idleStrategy: "busySpin" }], eventHandlers: [{ agentName: "a", idleStrategy: "blocking", eventHandlers: { h: { handler: "./h.ts" } } }] }, `agentThreads[0].idleStrategy: agent "a" also sets idleStrategy in eventHandlers[0]; set it in one place`],
    ["services not yet", { services: [{ name: "x" }] }, "services: services are not available in this version"],
    ["pipes not yet", { pipes: [{ name: "x" }] }, "pipes: pipes are not available in this version"],
    ["admin not yet", { admin: { port: 8080 } }, "admin: the admin server is not available in this version (use admin: false or leave it out)"],
  ];
  for (const [label, config, expected] of invalid) {
    it(`rejects ${label}`, () => {
      expect(problemsOf(config)).toContain(expected);
    });
  }

  it("reports every problem at once", () => {
    const problems = problemsOf({ idleStrategy: "x", eventFeeds: [{ name: 1, type: "memory" }], extra: true });
    expect(problems.length).toBe(3);
    expect(() => validateConfig({ extra: true })).toThrow("invalid configuration:\n  - extra: unknown key");
  });
});
