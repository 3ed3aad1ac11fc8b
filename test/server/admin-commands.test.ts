import { describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { CommandError, type CommandErrorKind, type HandlerContext, type MongooseConfig, type MongooseServer, type Sink } from "../../src/mod.ts";
import { boot, eventually, tempDir } from "../helpers.ts";

const BUILT_INS = [
  "agent.batchSize", "agent.idleStrategy",
  "commands", "config.update", "eventSources", "eventSources.add", "eventSources.remove",
  "feed.pause", "feed.resume", "handler.pause", "handler.resume",
  "help", "latency.reset", "quit",
  "server.processors.add", "server.processors.list", "server.processors.remove", "server.service.add", "server.service.list", "server.service.remove",
  "subscription.onFull", "tuning.persist", "tuning.reset", "tuning.show",
];

/** The CommandError `promise` rejects with (fails the test if it resolves or rejects with anything else). */
async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const outcome = await promise.then((value) => ({ value }), (error) => ({ error }));
  if (!("error" in outcome)) throw new Error(`expected a CommandError, got the result ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof CommandError)) throw outcome.error;
  return outcome.error;
}

async function expectFailure(promise: Promise<unknown>, kind: CommandErrorKind, ...fragments: string[]): Promise<void> {
  const error = await commandError(promise);
  expect(error.kind).toBe(kind);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

function commanderConfig(configMap: Record<string, unknown> = {}): MongooseConfig {
  return {
    eventFeeds: [{ name: "in", type: "memory" }],
    eventHandlers: [{ agentName: "processor", idleStrategy: "blocking", eventHandlers: { ops: { handler: "./commander.ts", configMap } } }],
  };
}

for (const inline of [false, true]) {
  const mode = inline ? "inline" : "worker";

  describe(`admin commands (${mode} agents)`, () => {
    it("built-ins describe the server: help, commands, eventSources, server.processors.list", async () => {
      const server = await boot(commanderConfig(), { inline });
      try {
        const names = server.commands().map((c) => c.name);
        expect(names.filter((n) => !n.startsWith("ops."))).toEqual(BUILT_INS);
        expect(names).toContain("ops.echo");
        expect(await server.command("commands")).toEqual(server.commands() as never);
        expect(server.commands().find((c) => c.name === "ops.echo")).toEqual({ name: "ops.echo", description: "test command ops.echo", usage: "ops.echo [args]", owner: "processor/ops" });

        const help = String(await server.command("help")).split("\n");
        expect(help.length).toBe(names.length);
        expect(help.find((line) => line.startsWith("quit "))).toContain("stops the server gracefully");
        expect(await server.command("help", ["ops.echo"])).toBe("ops.echo [args]\n  test command ops.echo (processor/ops)");
        expect(await server.command("help", { _: ["quit"] })).toContain("quit\n  stops the server");
        await expectFailure(server.command("help", ["nope"]), "unknown", `unknown command "nope"`);
        await expectFailure(server.command("help", [3]), "bad-arguments", `command "help"`, "must be strings");

        expect(await server.command("eventSources")).toEqual([
          { name: "in", type: "memory", host: "supervisor", broadcast: false, subscribers: ["processor/ops"], connected: true, completed: false, detail: "offered by the embedding program" },
        ]);
        expect(await server.command("server.processors.list")).toEqual([{
          name: "processor",
          mode,
          idleStrategy: "blocking",
          state: "running",
          handlers: [{ name: "ops", subscriptions: ["in"], commands: names.filter((n) => n.startsWith("ops.")) }],
        }]);
      } finally {
        await server.stop();
      }
    });

    it("handler commands run on the handler's agent: results, arguments in both forms, errors, async, late registration", async () => {
      const server = await boot(commanderConfig(), { inline });
      try {
        expect(await server.command("ops.echo", ["book", "currency=EUR"])).toEqual({ handler: "ops", agent: "processor", args: ["book", "currency=EUR"] });
        expect(await server.command("ops.echo", { currency: "EUR" })).toEqual({ handler: "ops", agent: "processor", args: { currency: "EUR" } });
        expect(await server.command("ops.echo")).toEqual({ handler: "ops", agent: "processor", args: null });
        for (let i = 0; i < 3; i++) server.offer("in", i);
        await eventually(async () => (await server.command("ops.count")) === 3, "the handler's state seen by its command");
        expect(await server.command("ops.later", [1, 2].map(String))).toEqual({ later: ["1", "2"] });
        await expectFailure(server.command("ops.boom"), "failed", `command "ops.boom" (processor/ops) failed: boom`);
        await expectFailure(server.command("ops.date"), "failed", `command "ops.date"`, "not JSON", "$.at is a Date");
        await expectFailure(server.command("ops.echo", { f: () => 1 } as never), "bad-arguments", `command "ops.echo"`, "$.f is a function");

        expect(server.commands().map((c) => c.name)).not.toContain("ops.late");
        server.offer("in", "register");
        await eventually(() => server.commands().some((c) => c.name === "ops.late"), "the command registered in onEvent");
        expect(await server.command("ops.late")).toBe("registered from onEvent");
        // The agent still works after all that.
        server.offer("in", "after");
        await eventually(async () => (await server.command("ops.count")) === 5, "events after the failures");
        expect(server.errors()).toEqual([]);
      } finally {
        expect((await server.stop()).clean).toBe(true);
      }
      // Stopped handlers take their commands with them.
      expect(server.commands().map((c) => c.name)).toEqual(BUILT_INS);
      await expectFailure(server.command("ops.echo"), "unknown", `unknown command "ops.echo"`);
    });

    it("an unknown command names its near matches", async () => {
      const server = await boot(commanderConfig(), { inline });
      try {
        await expectFailure(server.command("ops.ecoh"), "unknown", `unknown command "ops.ecoh"`, `"ops.echo"`);
        await expectFailure(server.command("hlep"), "unknown", `did you mean "help"`);
        await expectFailure(server.command("server"), "unknown", `"server.processors.list"`);
        await expectFailure(server.command("zzzzzzzz"), "unknown", `"help" lists the commands`);
      } finally {
        await server.stop();
      }
    });

    it("a command whose promise never settles times out, and the server still stops", async () => {
      const server = await boot(commanderConfig(), { inline, commandTimeoutMs: 1_000 });
      await expectFailure(server.command("ops.never"), "timeout", `command "ops.never" (processor/ops) did not answer within 1000 ms`);
      server.offer("in", 1);
      await eventually(async () => (await server.command("ops.count")) === 1, "events delivered after the timeout");
      expect((await server.stop()).clean).toBe(true);
    });

    it("refuses a handler's command that clashes with a built-in or another handler of its agent, naming both owners", async () => {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory" }],
        eventHandlers: [{
          agentName: "processor",
          eventHandlers: {
            first: { handler: "./commander.ts", configMap: { alsoRegister: "help" } },
            second: { handler: "./commander.ts", configMap: { alsoRegister: "first.echo" } },
            third: { handler: "./commander.ts", configMap: { alsoRegister: "two words" } },
          },
        }],
      }, { inline });
      try {
        expect(await server.command("first.errors")).toEqual([`admin command "help" of handler processor/first clashes with the built-in command "help"; not registered`]);
        expect(await server.command("second.errors")).toEqual([
          `admin command "first.echo" of handler processor/second clashes with the command of handler processor/first "first.echo"; not registered`,
        ]);
        expect(await server.command("third.errors")).toEqual([`handler processor/third: admin command name must be a non-empty string without spaces, found "two words"`]);
        expect(server.commands().find((c) => c.name === "first.echo")?.owner).toBe("processor/first");
        expect(await server.command("help", ["help"])).toContain("(built-in)");
      } finally {
        await server.stop();
      }
    });
  });
}

describe("admin commands across agents", () => {
  it("a handler stuck in a synchronous loop times out its caller; the server stops once it comes back", async () => {
    const temp = tempDir();
    try {
      const releaseFile = temp.path("release");
      const server = await boot(commanderConfig({ releaseFile }), { commandTimeoutMs: 1_000 });
      await expectFailure(server.command("ops.spin"), "timeout", `command "ops.spin" (processor/ops) did not answer within 1000 ms`);
      // The supervisor's thread is free meanwhile: built-ins still answer.
      expect(String(await server.command("help"))).toContain("ops.spin");
      writeFileSync(releaseFile, "");
      expect((await server.stop()).clean).toBe(true);
    } finally {
      temp.cleanup();
    }
  });

  it("a clash between handlers of different agents is refused by the server and reported, naming both owners", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory" }],
      eventHandlers: [
        { agentName: "left", eventHandlers: { a: { handler: "./commander.ts", configMap: { prefix: "shared" } } } },
        { agentName: "right", eventHandlers: { b: { handler: "./commander.ts", configMap: { prefix: "shared" } } } },
      ],
    }, { logLevel: "silent" });
    try {
      const owner = server.commands().find((c) => c.name === "shared.echo")!.owner;
      expect(["left/a", "right/b"]).toContain(owner);
      const loser = owner === "left/a" ? "right/b" : "left/a";
      // Each name has one owner, and each agent's second claim to a name was refused (which agent claims first may differ per name).
      const shared = server.commands().filter((c) => c.name.startsWith("shared."));
      expect(new Set(shared.map((c) => c.name)).size).toBe(shared.length);
      expect(server.errors().filter((report) => report.phase === "registerCommand").length).toBe(shared.length);
      const refused = server.errors().find((report) => report.message.includes(`"shared.echo" of handler ${loser}`));
      expect(refused).toMatchObject({ source: "handler", agent: loser.split("/")[0], component: loser.split("/")[1], phase: "registerCommand" });
      expect(refused!.message).toContain(`clashes with the command of handler ${owner}`);
      expect(await server.command("shared.echo")).toMatchObject({ agent: owner.split("/")[0] });
    } finally {
      await server.stop();
    }
  });

  it("quit answers before the stop, then the server drains and stops", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "processor", eventHandlers: { forward: { handler: "./forwarder.ts" } } }],
    });
    for (let i = 0; i < 100; i++) server.offer("in", i);
    expect(await server.command("quit")).toEqual({ stopping: true });
    expect(server.health().agents.every((agent) => agent.state === "running")).toBe(true);
    await eventually(() => server.health().agents.every((agent) => agent.state === "stopped"), "the stop quit started");
    expect((await server.stop()).clean).toBe(true);
    expect(server.sink("out").values().length).toBe(100);
  });

  it("a stopping handler's commands are gone before its stop() runs", async () => {
    let server: MongooseServer | undefined;
    let duringStop: unknown;
    class Stopper {
      start(ctx: HandlerContext) {
        ctx.registerCommand("stopper.ping", () => "pong");
      }
      onEvent() {}
      async stop() {
        duringStop = await server!.command("stopper.ping").then((value) => value, (error: CommandError) => error.kind);
      }
    }
    server = await boot({ eventHandlers: [{ agentName: "local", eventHandlers: { stopper: { handler: Stopper } } }] });
    expect(await server.command("stopper.ping")).toBe("pong");
    await server.stop();
    expect(duringStop).toBe("unknown");
  });

  it("an inline handler calling its own commands, from onEvent and from a command, neither deadlocks nor runs inside onEvent", async () => {
    let server: MongooseServer | undefined;
    class SelfCaller {
      private inEvent = false;
      private out!: Sink<unknown>;
      start(ctx: HandlerContext) {
        this.out = ctx.sink("out");
        ctx.registerCommand("self.where", () => ({ duringOnEvent: this.inEvent }));
        ctx.registerCommand("self.chain", async () => ({ chained: await server!.command("self.where") }));
      }
      onEvent() {
        this.inEvent = true;
        try {
          server!.command("self.chain").then((result) => this.out.accept(result), (error) => this.out.accept(String(error)));
        } finally {
          this.inEvent = false;
        }
      }
    }
    server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "local", eventHandlers: { self: { handler: SelfCaller } } }],
    }, { commandTimeoutMs: 5_000 });
    try {
      expect(await server.command("self.chain")).toEqual({ chained: { duringOnEvent: false } });
      server.offer("in", 1);
      expect(await server.sink("out").waitFor(1)).toEqual([{ chained: { duringOnEvent: false } }]);
    } finally {
      await server.stop();
    }
  });
});
