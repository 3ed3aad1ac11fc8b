/**
 * The admin commands an agent's handlers registered with `ctx.registerCommand`: checked here (name, a
 * clash with a built-in or another handler of this agent), announced to the supervisor as a `commands`
 * event, and run here when the supervisor forwards an invocation, between events. Clashes with handlers
 * of other agents are found by the supervisor's registry, which refuses the second registration.
 *
 * @module
 */
import { BUILT_IN_COMMANDS } from "../commands/built-ins.ts";
import { CommandError } from "../commands/command-error.ts";
import { BUILT_IN_OWNER, commandClash } from "../commands/command-registry.ts";
import { jsonProblem, type JsonValue } from "../commands/json-value.ts";
import type { AdminCommand, AdminCommandOptions } from "../handler-api.ts";
import type { AgentEvent, CommandOutcome } from "../protocol.ts";

/**
 * @example
 * ```ts
 * const commands = new HandlerCommands("processor", (event) => port.post(event));
 * commands.register("pnl", "pnl.reset", () => ({ reset: true }));
 * await commands.run("pnl", "pnl.reset", undefined); // { ok: true, value: { reset: true } }
 * ```
 */
export class HandlerCommands {
  private readonly commands = new Map<string, { handler: string; run: AdminCommand }>();

  constructor(private readonly agent: string, private readonly emit: (event: AgentEvent) => void) {}

  /** Registers `name` for `handler`; throws naming both owners on a clash, or if the name or function is unusable. */
  register(handler: string, name: string, run: AdminCommand, options: AdminCommandOptions = {}): void {
    const owner = `${this.agent}/${handler}`;
    if (typeof name !== "string" || !/^\S+$/.test(name)) throw new Error(`handler ${owner}: admin command name must be a non-empty string without spaces, found ${JSON.stringify(name)}`);
    if (typeof run !== "function") throw new Error(`handler ${owner}: admin command "${name}" needs a function, found ${typeof run}`);
    if (BUILT_IN_COMMANDS.includes(name)) throw new Error(commandClash(name, owner, BUILT_IN_OWNER));
    const taken = this.commands.get(name);
    if (taken) throw new Error(commandClash(name, owner, `${this.agent}/${taken.handler}`));
    this.commands.set(name, { handler, run });
    const description = options.description ?? `command of handler ${owner}`;
    this.emit({ event: "commands", handler, registered: [{ name, description, usage: options.usage ?? name }], unregistered: [] });
  }

  /** Drops every command of `handler` (it is stopping or being removed). */
  unregisterAll(handler: string): void {
    const names = [...this.commands].filter(([, command]) => command.handler === handler).map(([name]) => name);
    if (names.length === 0) return;
    for (const name of names) this.commands.delete(name);
    this.emit({ event: "commands", handler, registered: [], unregistered: names });
  }

  /** Runs `handler`'s command `name`; a throw, rejection or non-JSON result becomes a failed outcome. */
  async run(handler: string, name: string, args: JsonValue | undefined): Promise<CommandOutcome> {
    const command = this.commands.get(name);
    const owner = `${this.agent}/${handler}`;
    if (command?.handler !== handler) return { ok: false, failure: { kind: "unknown", message: `command "${name}" is no longer registered by handler ${owner}` } };
    try {
      const value = (await command.run(args)) ?? null;
      const problem = jsonProblem(value);
      if (problem) return { ok: false, failure: { kind: "failed", message: `command "${name}" (${owner}) returned a value that is not JSON: ${problem}` } };
      return { ok: true, value: value as JsonValue };
    } catch (thrown) {
      const kind = thrown instanceof CommandError ? thrown.kind : "failed";
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      return { ok: false, failure: { kind, message: kind === "failed" ? `command "${name}" (${owner}) failed: ${message}` : message } };
    }
  }
}
