import { describe, expect, it } from "bun:test";
import { buildPlan, validateConfig } from "../../src/config/plan.ts";
import { configProblems } from "../helpers.ts";

const problemsOf = (config: unknown) => configProblems(() => validateConfig(config));
/** Problems only the plan can see (agent-level settings). */
const planProblemsOf = (config: unknown) => configProblems(() => buildPlan(config));

describe("configuration", () => {
  it("applies defaults", () => {
    const effective = validateConfig({ eventFeeds: [{ name: "f", type: "memory" }], eventSinks: [{ name: "s", type: "console" }] });
    expect(effective).toEqual({
      idleStrategy: "backoff",
      agentThreads: [],
      eventFeeds: [{ name: "f", type: "memory", broadcast: false, wrapWithNamedEvent: false, cacheEventLog: false, cacheLimit: 100_000 }],
      eventSinks: [{ name: "s", type: "console" }],
      eventHandlers: [],
      services: [],
      pipes: [],
      eventTypes: {},
      latency: { enabled: true, sampleEvery: 64 },
    });
    const file = validateConfig({ eventFeeds: [{ name: "f", type: "file", filename: "in.txt" }], pipes: [{ name: "p" }] });
    expect(file.eventFeeds[0]).toMatchObject({ readStrategy: "COMMITTED", pollMillis: 10 });
    expect(file.pipes[0]).toEqual({ name: "p", broadcast: true, wrapWithNamedEvent: false, cacheEventLog: false, cacheLimit: 100_000 });
    expect(validateConfig(undefined).eventFeeds).toEqual([]);
    expect(buildPlan({}).shutdownTimeoutMs).toBeUndefined(); // the server's default (30 s) applies
    expect(buildPlan({ shutdownTimeoutMs: 5_000 }).shutdownTimeoutMs).toBe(5_000);
  });

  it("plans services: agent-local ones on every agent with handlers, worker ones on their agent with the feeds they publish", () => {
    class InProcess {}
    const plan = buildPlan({
      eventFeeds: [{ name: "f", type: "memory" }],
      services: [
        { name: "local", handler: "./local.ts", configMap: { x: 1 } },
        { name: "ticker", handler: "./ticker.ts", agentName: "svc", idleStrategy: "blocking", publishes: ["ticks", "quotes"] },
        { name: "near", handler: InProcess, agentName: "b" },
      ],
      eventHandlers: [
        { agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } },
        { agentName: "b", eventHandlers: { g: { handler: "./g.ts" } } },
      ],
    });
    const servicesOf = (agent: string) => plan.agents.find((a) => a.name === agent)!.services.map((s) => s.name);
    expect(servicesOf("a")).toEqual(["local"]);
    expect(servicesOf("b")).toEqual(["local", "near"]);
    expect(servicesOf("svc")).toEqual(["ticker"]);
    expect(servicesOf("supervisor")).toEqual([]);
    expect(plan.agents.find((a) => a.name === "svc")).toMatchObject({ mode: "worker", idle: { type: "blocking" }, hostedFeeds: ["ticks", "quotes"], handlers: [] });
    // An in-process service runs on the calling thread, like an in-process handler.
    expect(plan.agents.find((a) => a.name === "b")!.mode).toBe("inline");
    expect(plan.feeds.map((f) => [f.id, f.name, f.type, f.host, f.broadcast])).toEqual([[1, "f", "memory", "supervisor", false], [2, "ticks", "service", "svc", false], [3, "quotes", "service", "svc", false]]);
    expect(plan.services.map((s) => [s.name, s.agentName, s.publishes])).toEqual([["local", undefined, []], ["ticker", "svc", ["ticks", "quotes"]], ["near", "b", []]]);
    expect(plan.services[0].config).toEqual({ x: 1 });
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
    expect(plan.feeds).toEqual([{
      id: 1, name: "f", type: "memory", broadcast: true, wrapWithNamedEvent: false, cache: { enabled: false, limit: 100_000 },
      mapper: undefined, host: "supervisor", settings: {}, module: undefined,
    }]);
    expect(buildPlan({ eventHandlers: [{ agentName: "x", eventHandlers: { h: { handler: "./h.ts" } } }] }, { inline: true }).agents[1].mode).toBe("inline");
  });

  it("places feeds and sinks: file types on the I/O agent unless named, memory on the supervisor, fan-out targets with their fan-out", () => {
    const plan = buildPlan({
      eventFeeds: [
        { name: "lines", type: "file", filename: "in/lines.txt", valueMapper: "json" },
        { name: "ticks", type: "interval", periodMs: 50, agentName: "clock-agent", idleStrategy: "blocking" },
        { name: "mem", type: "memory" },
      ],
      eventSinks: [
        { name: "out", type: "file", filename: "out/lines.txt" },
        { name: "copy", type: "file", filename: "out/copy.txt" },
        { name: "both", type: "fanout", targets: ["copy"], agentName: "fan-agent" },
        { name: "mem-out", type: "memory" },
      ],
      pipes: [{ name: "p", valueMapper: "./m.ts#map" }],
      deadLetter: "mem-out",
    }, { baseDir: "/base" });
    expect(plan.agents.map((a) => [a.name, a.hostedFeeds, a.hostedSinks, a.idle.type])).toEqual([
      ["supervisor", ["mem"], ["mem-out"], "blocking"],
      ["io-agent", ["lines"], ["out"], "backoff"],
      ["clock-agent", ["ticks"], [], "blocking"],
      ["fan-agent", [], ["copy", "both"], "backoff"],
    ]);
    expect(plan.feeds[0]).toMatchObject({ mapper: { kind: "json" }, settings: { filename: "/base/in/lines.txt", readStrategy: "COMMITTED", pollMillis: 10 } });
    expect(plan.feeds[3]).toMatchObject({ name: "p", type: "pipe", host: "", mapper: { kind: "module", url: "file:///base/m.ts", exportName: "map" } });
    expect(plan.sinks.at(-1)).toMatchObject({ name: "p.sink", type: "pipe", pipe: "p" });
    expect(plan.deadLetter).toBe("mem-out");
  });

  const invalid: [string, unknown, string][] = [
    ["unknown top-level key", { eventFeed: [] }, "eventFeed: unknown key"],
    ["unknown feed key", { eventFeeds: [{ name: "f", type: "memory", brodcast: true }] }, "eventFeeds[0].brodcast: unknown key"],
    ["unknown feed type", { eventFeeds: [{ name: "f", type: "kafka" }] }, `eventFeeds[0].type: feed type must be one of memory, file, interval, nats, module, got "kafka"`],
    ["file feed without a filename", { eventFeeds: [{ name: "f", type: "file" }] }, "eventFeeds[0].filename: missing (required)"],
    ["bad read strategy", { eventFeeds: [{ name: "f", type: "file", filename: "x", readStrategy: "LATESTT" }] }, `eventFeeds[0].readStrategy: expected one of COMMITTED, COMMITED, EARLIEST, LATEST, ONCE_EARLIEST, ONCE_LATEST, got "LATESTT"`],
    ["memory feed on an agent", { eventFeeds: [{ name: "f", type: "memory", agentName: "a" }] }, "eventFeeds[0].agentName: memory feeds run on the supervisor's thread; agentName and idleStrategy do not apply"],
    ["zero interval", { eventFeeds: [{ name: "f", type: "interval", periodMs: 0 }] }, "eventFeeds[0].periodMs: must be ≥ 1, got 0"],
    ["module feed without a module", { eventFeeds: [{ name: "f", type: "module" }] }, "eventFeeds[0].module: missing (required)"],
    ["zero cache limit", { eventFeeds: [{ name: "f", type: "memory", cacheLimit: 0 }] }, "eventFeeds[0].cacheLimit: must be ≥ 1, got 0"],
    ["feed without a name", { eventFeeds: [{ type: "memory" }] }, "eventFeeds[0].name: missing (required)"],
    ["empty feed name", { eventFeeds: [{ name: "", type: "memory" }] }, `eventFeeds[0].name: must not be empty, got ""`],
    ["broadcast not a boolean", { eventFeeds: [{ name: "f", type: "memory", broadcast: "yes" }] }, `eventFeeds[0].broadcast: expected boolean, got "yes"`],
    ["empty value mapper", { eventSinks: [{ name: "s", type: "console", valueMapper: "" }] }, `eventSinks[0].valueMapper: must not be empty, got ""`],
    ["unknown sink type", { eventSinks: [{ name: "s", type: "kafka" }] }, `eventSinks[0].type: sink type must be one of memory, console, file, fanout, nats, module, got "kafka"`],
    ["file sink without a filename", { eventSinks: [{ name: "s", type: "file" }] }, "eventSinks[0].filename: missing (required)"],
    ["fan-out without targets", { eventSinks: [{ name: "s", type: "fanout", targets: [] }] }, "eventSinks[0].targets: needs at least one target"],
    ["fan-out to a missing sink", { eventSinks: [{ name: "s", type: "fanout", targets: ["ghost"] }] }, `eventSinks[0].targets[0]: "ghost" names no sink (sinks: s)`],
    ["nested fan-out", { eventSinks: [{ name: "a", type: "fanout", targets: ["b"] }, { name: "b", type: "fanout", targets: ["a"] }] }, `eventSinks[0].targets[0]: "b" is a fan-out sink; fan-outs do not nest`],
    ["fan-out target on another agent", { eventSinks: [{ name: "f", type: "fanout", targets: ["m"], agentName: "x" }, { name: "m", type: "memory" }] }, `eventSinks[0].targets[0]: "m" runs on supervisor but the fan-out runs on x; a fan-out and its targets share one agent`],
    ["bad failure policy", { eventSinks: [{ name: "s", type: "fanout", targets: ["s"], failurePolicy: "IGNORE" }] }, `eventSinks[0].failurePolicy: expected one of CONTINUE, FAIL_FAST, RETRY_THEN_DROP, got "IGNORE"`],
    ["dead letters to a missing sink", { deadLetter: "nowhere" }, `deadLetter: "nowhere" names no sink (sinks: none)`],
    ["zero shutdown timeout", { shutdownTimeoutMs: 0 }, "shutdownTimeoutMs: must be ≥ 1, got 0"],
    ["shutdown timeout as text", { shutdownTimeoutMs: "30s" }, `shutdownTimeoutMs: expected number, got "30s"`],
    ["pipe with a thread", { pipes: [{ name: "p", agentName: "a" }] }, "pipes[0].agentName: a pipe has no thread of its own: writers publish straight into the subscribers' rings"],
    ["pipe colliding with a feed", { eventFeeds: [{ name: "p", type: "memory" }], pipes: [{ name: "p" }] }, `pipes[0].name: duplicate feed name "p" (feeds and pipes share one namespace)`],
    ["pipe sink colliding with a sink", { eventSinks: [{ name: "p.sink", type: "memory" }], pipes: [{ name: "p" }] }, `pipes[0].name: duplicate sink name "p.sink" (sinks and pipe sinks share one namespace)`],
    ["different idle strategies for one agent", { eventFeeds: [{ name: "t", type: "interval", agentName: "a", idleStrategy: "busySpin" }], eventHandlers: [{ agentName: "a", idleStrategy: "blocking", eventHandlers: { h: { handler: "./h.ts" } } }] }, `eventFeeds[0].idleStrategy: agent "a" is given another idle strategy in eventHandlers[0].idleStrategy; set it once (agentThreads)`],
    ["bad idle strategy name", { idleStrategy: "spinny" }, `idleStrategy: expected one of busySpin, noOp, yielding, backoff, sleeping, blocking or {type: …}, got "spinny"`],
    ["idle strategy parameter", { agentThreads: [{ agentName: "a", idleStrategy: { type: "sleeping", sleepNanos: -1 } }], eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } }] }, "agentThreads[0].idleStrategy.sleepNanos: must be ≥ 0, got -1"],
    ["fractional coreId", { agentThreads: [{ agentName: "a", coreId: 1.5 }], eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } }] }, "agentThreads[0].coreId: must be an integer, got 1.5"],
    ["reserved agent name", { eventHandlers: [{ agentName: "supervisor", eventHandlers: { h: { handler: "./h.ts" } } }] }, `eventHandlers[0].agentName: "supervisor" is reserved for the supervisor's own thread`],
    ["handler of the wrong kind", { eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: 42 } } }] }, "eventHandlers[0].eventHandlers.h.handler: expected a module path, a class, a factory function or an object with onEvent"],
    ["configMap not a map", { eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts", configMap: [1] } } }] }, "eventHandlers[0].eventHandlers.h.configMap: expected a map of keys to values"],
    ["duplicate feed", { eventFeeds: [{ name: "f", type: "memory" }, { name: "f", type: "memory" }] }, `eventFeeds[1].name: duplicate feed name "f" (feeds and pipes share one namespace)`],
    ["duplicate sink", { eventSinks: [{ name: "s", type: "memory" }, { name: "s", type: "console" }] }, `eventSinks[1].name: duplicate sink name "s" (sinks and pipe sinks share one namespace)`],
    ["agent listed twice", { eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } }, { agentName: "a", eventHandlers: { g: { handler: "./g.ts" } } }] }, `eventHandlers[1].agentName: agent "a" is listed more than once (put all its handlers in one entry)`],
    ["agent without handlers", { eventHandlers: [{ agentName: "a", eventHandlers: {} }] }, `eventHandlers[0].eventHandlers: agent "a" has no handlers`],
    ["agentThreads naming no agent", { agentThreads: [{ agentName: "ghost" }] }, `agentThreads[0].agentName: "ghost" names no agent (known: none)`],
    ["idle strategy set twice", { agentThreads: [{ agentName: "a", idleStrategy: "busySpin" }], eventHandlers: [{ agentName: "a", idleStrategy: "blocking", eventHandlers: { h: { handler: "./h.ts" } } }] }, `eventHandlers[0].idleStrategy: agent "a" also gets an idleStrategy in agentThreads[0]; set it in one place`],
    ["duplicate service", { services: [{ name: "x", handler: "./x.ts" }, { name: "x", handler: "./y.ts" }] }, `services[1].name: duplicate service name "x"`],
    ["service named like a handler", { services: [{ name: "h", handler: "./x.ts" }], eventHandlers: [{ agentName: "a", eventHandlers: { h: { handler: "./h.ts" } } }] }, `services[0].name: "h" is also the name of a handler; services and handlers need distinct names`],
    ["agent-local service publishing", { services: [{ name: "x", handler: "./x.ts", publishes: ["q"] }] }, "services[0].publishes: an agent-local service (no agentName) runs on its handlers' agents; only a worker service (with agentName) publishes feeds"],
    ["agent-local service with an idle strategy", { services: [{ name: "x", handler: "./x.ts", idleStrategy: "busySpin" }] }, "services[0].idleStrategy: an agent-local service (no agentName) runs on its handlers' agents; idleStrategy needs an agentName"],
    ["service feed colliding with a feed", { eventFeeds: [{ name: "q", type: "memory" }], services: [{ name: "x", handler: "./x.ts", agentName: "s", publishes: ["q"] }] }, `services[0].publishes[0]: duplicate feed name "q" (feeds and pipes share one namespace)`],
    ["service without a handler", { services: [{ name: "x" }] }, "services[0].handler: missing (required)"],
    ["service handler of the wrong kind", { services: [{ name: "x", handler: 42 }] }, "services[0].handler: expected a module path, a class, a factory function or an object"],
    ["service with a typo", { services: [{ name: "x", handlr: "./x.ts" }] }, "services[0].handlr: unknown key"],
    ["admin port out of range", { admin: { port: 70000 } }, "admin.port: must be ≤ 65535, got 70000"],
    ["admin unknown key", { admin: { prot: 1 } }, "admin.prot: unknown key"],
  ];
  for (const [label, config, expected] of invalid) {
    it(`rejects ${label}`, () => {
      expect(problemsOf(config).concat(planProblemsOf(config))).toContain(expected);
    });
  }

  it("reports every problem at once", () => {
    const problems = problemsOf({ idleStrategy: "x", eventFeeds: [{ name: 1, type: "memory" }], extra: true });
    expect(problems.length).toBe(3);
    expect(() => validateConfig({ extra: true })).toThrow("invalid configuration:\n  - extra: unknown key");
  });
});
