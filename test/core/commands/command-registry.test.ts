import { describe, expect, it } from "bun:test";
import { commandArgs } from "../../../src/core/commands/command-args.ts";
import { CommandError } from "../../../src/core/commands/command-error.ts";
import { BUILT_IN_OWNER, CommandRegistry } from "../../../src/core/commands/command-registry.ts";
import { jsonProblem, type JsonValue } from "../../../src/core/commands/json-value.ts";
import { nearMatches } from "../../../src/core/commands/near-matches.ts";
import { eventually } from "../../helpers.ts";

function registry(timeoutMs = 10_000, late: string[] = []): CommandRegistry {
  return new CommandRegistry({ timeoutMs, lateReply: (command, owner, outcome) => late.push(`${command} ${owner} ${outcome}`) });
}

const command = (name: string, run: (args: unknown) => unknown, owner = "agent/h") => ({ name, description: `does ${name}`, usage: name, owner, run });

async function rejection(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(() => undefined, (thrown) => thrown);
  if (!(error instanceof CommandError)) throw new Error(`expected a CommandError, got ${String(error)}`);
  return error;
}

describe("command registry", () => {
  it("drops a reply that arrives after the timeout and reports it as late", async () => {
    const late: string[] = [];
    const commands = registry(50, late);
    let answer!: (value: unknown) => void;
    let fail!: (error: Error) => void;
    commands.register(command("slow", () => new Promise((resolve) => (answer = resolve))));
    commands.register(command("slowFail", () => new Promise((_, reject) => (fail = reject))));
    const timedOut = await rejection(commands.invoke("slow"));
    expect([timedOut.kind, timedOut.command, timedOut.message]).toEqual(["timeout", "slow", `command "slow" (agent/h) did not answer within 50 ms`]);
    expect(late).toEqual([]);
    answer(42);
    await eventually(() => late.length === 1, "the late result reported");
    expect((await rejection(commands.invoke("slowFail"))).kind).toBe("timeout");
    fail(new Error("too late"));
    await eventually(() => late.length === 2, "the late failure reported");
    expect(late).toEqual(["slow agent/h a result", "slowFail agent/h an error (too late)"]);
  });

  it("refuses a taken name naming both owners, and unregisters only for the owner", () => {
    const commands = registry();
    commands.register(command("help", () => "", BUILT_IN_OWNER));
    commands.register(command("stats", () => 1, "left/a"));
    expect(() => commands.register(command("help", () => "", "left/a"))).toThrow(`admin command "help" of handler left/a clashes with the built-in command "help"; not registered`);
    expect(() => commands.register(command("stats", () => 2, "right/b"))).toThrow(`admin command "stats" of handler right/b clashes with the command of handler left/a "stats"; not registered`);
    expect(commands.unregister("stats", "right/b")).toBe(false);
    expect(commands.unregisterWhere((owner) => owner.startsWith("left/"))).toEqual(["stats"]);
    expect(commands.list().map((c) => c.name)).toEqual(["help"]);
  });

  it("answers null for undefined, copies results, and refuses what is not JSON", async () => {
    const commands = registry();
    const shared = { rows: [1] };
    commands.register(command("void", () => undefined));
    commands.register(command("shared", () => shared));
    commands.register(command("map", () => ({ m: new Map() })));
    expect(await commands.invoke("void")).toBe(null);
    const copy = await commands.invoke("shared") as { rows: number[] };
    copy.rows.push(2);
    expect(shared.rows).toEqual([1]);
    const error = await rejection(commands.invoke("map"));
    expect([error.kind, error.message]).toEqual(["failed", `command "map" (agent/h) returned a value that is not JSON: $.m is a Map`]);
  });
});

describe("JSON values", () => {
  it("names the first path JSON would lose or change", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const repeated = { a: 1 };
    expect(jsonProblem({ a: [1, "x", true, null, { b: 2.5 }] })).toBeUndefined();
    expect(jsonProblem({ left: repeated, right: repeated })).toBeUndefined();
    expect(jsonProblem(Object.create(null))).toBeUndefined();
    expect(jsonProblem([1, undefined])).toBe("$[1] is undefined");
    expect(jsonProblem({ n: NaN })).toBe("$.n is NaN");
    expect(jsonProblem({ n: -Infinity })).toBe("$.n is -Infinity");
    expect(jsonProblem({ big: 1n })).toBe("$.big is a bigint");
    expect(jsonProblem({ s: Symbol("s") })).toBe("$.s is a symbol");
    expect(jsonProblem({ f() {} })).toBe("$.f is a function");
    expect(jsonProblem({ at: new Date(0) })).toBe("$.at is a Date");
    expect(jsonProblem(cyclic)).toBe("$.self refers back to itself");
  });
});

describe("command arguments", () => {
  it("reads a command line and an object the same way", () => {
    expect(commandArgs("c", ["pnl", "currency=EUR", "note=a=b"])).toEqual({ positional: ["pnl"], named: { currency: "EUR", note: "a=b" } });
    expect(commandArgs("c", { _: ["pnl"], currency: "EUR", depth: 3 })).toEqual({ positional: ["pnl"], named: { currency: "EUR", depth: 3 } });
    expect(commandArgs("c", "pnl")).toEqual({ positional: ["pnl"], named: {} });
    expect(commandArgs("c", null)).toEqual({ positional: [], named: {} });
    expect(commandArgs("c", undefined)).toEqual({ positional: [], named: {} });
  });

  it("refuses other shapes as bad arguments naming the command", () => {
    for (const [args, fragment] of [[[1], "must be strings, found 1"], [{ _: "x" }, `"_" must be a list of strings`], [7, "must be a list of strings or an object, found 7"]] as const) {
      let error: unknown;
      try {
        commandArgs("config.update", args as unknown as JsonValue);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(CommandError);
      expect((error as CommandError).kind).toBe("bad-arguments");
      expect((error as CommandError).message).toContain(`command "config.update": `);
      expect((error as CommandError).message).toContain(fragment);
    }
  });
});

describe("near matches", () => {
  it("finds typos, swaps and prefixes, closest first", () => {
    const names = ["help", "commands", "quit", "server.processors.list", "server.service.list", "eventSources"];
    expect(nearMatches("hlep", names)).toEqual(["help"]);
    expect(nearMatches("comands", names)).toEqual(["commands"]);
    expect(nearMatches("server", names)).toEqual(["server.processors.list", "server.service.list"]);
    expect(nearMatches("EventSource", names)).toEqual(["eventSources"]);
    expect(nearMatches("shutdown", names)).toEqual([]);
  });
});
