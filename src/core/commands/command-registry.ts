/**
 * The admin command registry: names → commands, listed for help and front ends, invoked with JSON
 * arguments and answering JSON results. Every invocation is bounded by a timeout, so a stuck command never
 * blocks its caller; a reply that arrives after the timeout is dropped and reported to `lateReply`.
 *
 * @module
 */
import { CommandError } from "./command-error.ts";
import { copyJson, jsonProblem, type JsonValue } from "./json-value.ts";
import { nearMatches } from "./near-matches.ts";

/** What a listing says about one command. */
export interface CommandInfo {
  name: string;
  /** One line: what the command does. */
  description: string;
  /** Its arguments, e.g. `help [command]`. */
  usage: string;
  /** Who implements it: `built-in`, or the handler as `agent/handler`. */
  owner: string;
}

/** A command: its listing and what runs it. `run` may return a promise; `undefined` answers `null`. */
export interface CommandDefinition extends CommandInfo {
  run(args: JsonValue | undefined): unknown;
}

/** The owner of the registry's own commands. */
export const BUILT_IN_OWNER = "built-in";

/** Registry settings. */
export interface CommandRegistryOptions {
  /** Longest wait for one invocation's result. */
  timeoutMs: number;
  /** Told of a result or failure that arrived after its caller got the timeout error (it is dropped). */
  lateReply(command: string, owner: string, outcome: string): void;
}

/**
 * @example
 * ```ts
 * const registry = new CommandRegistry({ timeoutMs: 10_000, lateReply: (name) => log.warn("late reply dropped", { name }) });
 * registry.register({ name: "ping", description: "answers pong", usage: "ping", owner: BUILT_IN_OWNER, run: () => "pong" });
 * await registry.invoke("ping"); // "pong"
 * ```
 */
export class CommandRegistry {
  private readonly commands = new Map<string, CommandDefinition>();

  constructor(private readonly options: CommandRegistryOptions) {}

  /** Longest wait for one invocation's result. */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** Adds a command; throws naming both owners if the name is taken. */
  register(command: CommandDefinition): void {
    const taken = this.commands.get(command.name);
    if (taken) throw new Error(commandClash(command.name, command.owner, taken.owner));
    this.commands.set(command.name, command);
  }

  /** Removes `name` if `owner` registered it; false otherwise. */
  unregister(name: string, owner: string): boolean {
    if (this.commands.get(name)?.owner !== owner) return false;
    return this.commands.delete(name);
  }

  /** Removes every command whose owner satisfies `owned`; returns their names. */
  unregisterWhere(owned: (owner: string) => boolean): string[] {
    const removed = [...this.commands.values()].filter((command) => owned(command.owner)).map((command) => command.name);
    for (const name of removed) this.commands.delete(name);
    return removed;
  }

  /** Every command, by name. */
  list(): CommandInfo[] {
    return [...this.commands.values()]
      .map(({ name, description, usage, owner }) => ({ name, description, usage, owner }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One command's listing; throws the unknown-command error if there is none. */
  info(name: string): CommandInfo {
    const { description, usage, owner } = this.find(name);
    return { name, description, usage, owner };
  }

  /**
   * Runs `name` with `args`. Resolves with its JSON result (a copy); rejects with a {@link CommandError}:
   * `unknown` (with near matches), `bad-arguments`, `failed` (it threw, or returned no JSON value) or
   * `timeout`.
   */
  async invoke(name: string, args?: JsonValue): Promise<JsonValue> {
    const command = this.find(name);
    const argsProblem = args === undefined ? undefined : jsonProblem(args);
    if (argsProblem) throw new CommandError("bad-arguments", name, `command "${name}": arguments are not a JSON value: ${argsProblem}`);
    // Deferred, so a command never runs inside its caller's stack (a handler's onEvent, for instance).
    const running = Promise.resolve().then(() => command.run(args === undefined ? undefined : copyJson(args)));
    const result = await this.bounded(command, running);
    if (result === undefined) return null;
    const resultProblem = jsonProblem(result);
    if (resultProblem) throw new CommandError("failed", name, `command "${name}" (${command.owner}) returned a value that is not JSON: ${resultProblem}`);
    return copyJson(result as JsonValue);
  }

  private find(name: string): CommandDefinition {
    const command = this.commands.get(name);
    if (command) return command;
    const near = nearMatches(name, this.commands.keys());
    const hint = near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(", ")}?` : `; "help" lists the commands`;
    throw new CommandError("unknown", name, `unknown command "${name}"${hint}`);
  }

  private bounded(command: CommandDefinition, running: Promise<unknown>): Promise<unknown> {
    const { timeoutMs } = this.options;
    let timedOut = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new CommandError("timeout", command.name, `command "${command.name}" (${command.owner}) did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const settled = running.then(
      (value) => {
        if (timedOut) this.options.lateReply(command.name, command.owner, "a result");
        return value;
      },
      (thrown) => {
        if (timedOut) this.options.lateReply(command.name, command.owner, `an error (${thrown instanceof Error ? thrown.message : String(thrown)})`);
        throw asCommandError(command, thrown);
      },
    );
    return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
  }
}

/**
 * Why `owner` cannot register `name`, already registered by `takenBy` (both owners named).
 *
 * @example
 * ```ts
 * throw new Error(commandClash("stats", "processor/b", "processor/a"));
 * ```
 */
export function commandClash(name: string, owner: string, takenBy: string): string {
  const holder = takenBy === BUILT_IN_OWNER ? "the built-in command" : `the command of handler ${takenBy}`;
  const claimant = owner === BUILT_IN_OWNER ? "a built-in command" : `handler ${owner}`;
  return `admin command "${name}" of ${claimant} clashes with ${holder} "${name}"; not registered`;
}

function asCommandError(command: CommandDefinition, thrown: unknown): CommandError {
  if (thrown instanceof CommandError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new CommandError("failed", command.name, `command "${command.name}" (${command.owner}) failed: ${message}`);
}
