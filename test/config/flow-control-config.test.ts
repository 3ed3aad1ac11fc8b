import { afterAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildPlan } from "../../src/config/plan.ts";
import { configProblems, tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const tmp = tempDir("mongoose-flow-config-");
afterAll(() => tmp.cleanup());

const feed = (extra: Record<string, unknown>) => ({ name: "in", type: "memory", ...extra });
const handlers = (spec: Record<string, Record<string, unknown>>) => [{ agentName: "a", eventHandlers: spec }];

describe("onFull and ringCapacity in the configuration", () => {
  it("plans each feed's policy and capacity (rounded up to a power of two), block and the server's capacity by default", () => {
    const plan = buildPlan({
      eventFeeds: [feed({ onFull: "dropOldest", ringCapacity: 3000 }), { name: "plain", type: "memory" }],
      pipes: [{ name: "p", onFull: "disconnect", ringCapacity: 4096 }],
      eventHandlers: handlers({ h: { handler: "./h.ts", onFull: { plain: "dropNewest" } } }),
    });
    const byName = new Map(plan.feeds.map((f) => [f.name, f]));
    expect([byName.get("in")!.onFull, byName.get("in")!.ringCapacity]).toEqual(["dropOldest", 4096]);
    expect([byName.get("plain")!.onFull, byName.get("plain")!.ringCapacity]).toEqual([undefined, undefined]); // block, the server's capacity
    expect([byName.get("p")!.onFull, byName.get("p")!.ringCapacity]).toEqual(["disconnect", 4096]);
    expect(byName.get("in")!.settings).toEqual({}); // not passed to the feed as one of its own settings
    expect(plan.agents.find((a) => a.name === "a")!.handlers[0].onFull).toEqual({ plain: "dropNewest" });
  });

  it("rejects unknown policies and capacities out of bounds, saying which bounds and that it rounds up", () => {
    expect(configProblems(() => buildPlan({ eventFeeds: [feed({ onFull: "sometimes" })] }))).toEqual([
      `eventFeeds[0].onFull: expected one of block, dropNewest, dropOldest, disconnect, got "sometimes"`,
    ]);
    expect(configProblems(() => buildPlan({ eventFeeds: [feed({ ringCapacity: 100 })] }))).toEqual([
      "eventFeeds[0].ringCapacity: must be at least 1024 bytes (it is rounded up to a power of two, at most 1073741824), got 100",
    ]);
    expect(configProblems(() => buildPlan({ eventFeeds: [feed({ ringCapacity: 2 ** 31 })] }))).toEqual([
      "eventFeeds[0].ringCapacity: must be at most 1073741824 bytes (it is rounded up to a power of two, at least 1024), got 2147483648",
    ]);
    expect(configProblems(() => buildPlan({ eventFeeds: [feed({ ringCapacity: 2048.5 })] }))).toEqual([
      "eventFeeds[0].ringCapacity: must be an integer (bytes), got 2048.5",
    ]);
  });

  it("rejects a handler's override for a feed that does not exist, and handlers of one agent that disagree", () => {
    const problems = configProblems(() =>
      buildPlan({
        eventFeeds: [feed({})],
        eventHandlers: handlers({
          h1: { handler: "./h.ts", onFull: { in: "dropNewest", nope: "block" } },
          h2: { handler: "./h.ts", onFull: { in: "disconnect" } },
          h3: { handler: "./h.ts", onFull: { in: "wait" } },
        }),
      })
    );
    expect(problems).toEqual([
      `eventHandlers[0].eventHandlers.h3.onFull.in: expected one of block, dropNewest, dropOldest, disconnect, got "wait"`,
    ]);
    expect(configProblems(() =>
      buildPlan({
        eventFeeds: [feed({})],
        eventHandlers: handlers({
          h1: { handler: "./h.ts", onFull: { in: "dropNewest", nope: "block" } },
          h2: { handler: "./h.ts", onFull: { in: "disconnect" } },
        }),
      })
    )).toEqual([
      `eventHandlers[0].eventHandlers.h1.onFull.nope: "nope" names no feed or pipe (feeds: in)`,
      `eventHandlers[0].eventHandlers.h2.onFull.in: handlers "h1" and "h2" on agent "a" ask for different onFull for feed "in" (dropNewest, disconnect): ` +
      `they share the agent's one ring from it; give them the same policy or put them on different agents`,
    ]);
  });

  it("mongoose validate locates the problems in the YAML file", async () => {
    const yaml = tmp.path("app.yaml");
    writeFileSync(yaml, [
      "eventFeeds:",
      "  - name: in",
      "    type: memory",
      "    onFull: dropAll",
      "    ringCapacity: 10",
      "",
    ].join("\n"));
    const { code, stderr } = await runProgram(runtimeCommand(MAIN, ["validate", yaml]), { timeoutMs: 60_000 });
    expect(code).toBe(2);
    expect(stderr).toContain(`app.yaml:4:13 eventFeeds[0].onFull: expected one of block, dropNewest, dropOldest, disconnect, got "dropAll"`);
    expect(stderr).toContain("app.yaml:5:19 eventFeeds[0].ringCapacity: must be at least 1024 bytes (it is rounded up to a power of two, at most 1073741824), got 10");
  });
});
