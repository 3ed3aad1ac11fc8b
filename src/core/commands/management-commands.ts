/**
 * The server's admin commands that change it while it runs: live config updates, runtime registration
 * of handlers, feeds and services. They call the embedding API through {@link ServerControls}, so every
 * front end (embedding, later HTTP and `mongoose admin`) gets the same checks and the same errors.
 *
 * @module
 */
import { UnknownComponentError } from "../errors.ts";
import { commandArgs, typedArgument } from "./command-args.ts";
import { CommandError } from "./command-error.ts";
import { BUILT_IN_OWNER, type CommandDefinition, type CommandRegistry } from "./command-registry.ts";
import type { JsonValue } from "./json-value.ts";

/** What the management commands call: the embedding API's methods, with results as JSON. */
export interface ServerControls {
  updateConfig(handler: string, patch: Record<string, unknown>): Promise<{ ok: boolean; error?: string }>;
  addHandler(registration: Record<string, unknown>): Promise<unknown>;
  removeHandler(path: string): Promise<void>;
  addFeed(entry: Record<string, unknown>): Promise<unknown>;
  removeFeed(name: string): Promise<void>;
  services(): unknown[];
  addService(entry: Record<string, unknown>): Promise<unknown>;
  removeService(name: string): Promise<boolean>;
}

/**
 * The names these commands take (reserved: no handler may register them).
 *
 * @example
 * ```ts
 * MANAGEMENT_COMMANDS.includes("config.update"); // true
 * ```
 */
export const MANAGEMENT_COMMANDS: readonly string[] = [
  "config.update",
  "server.processors.add",
  "server.processors.remove",
  "eventSources.add",
  "eventSources.remove",
  "server.service.list",
  "server.service.add",
  "server.service.remove",
];

/** The named arguments as an object, values typed (`configMap={"a":1}` on a command line becomes an object). */
function entryOf(command: string, args: JsonValue | undefined): Record<string, unknown> {
  const { named } = commandArgs(command, args);
  return Object.fromEntries(Object.entries(named).map(([key, value]) => [key, typedArgument(value)]));
}

/** The one positional argument a command needs, e.g. a name. */
function single(command: string, args: JsonValue | undefined, what: string, key: string): string {
  const { positional, named } = commandArgs(command, args);
  const value = positional[0] ?? named[key];
  if (typeof value !== "string" || value === "") throw new CommandError("bad-arguments", command, `command "${command}" needs ${what}, e.g. ${command} <${key}>`);
  return value;
}

/**
 * Runs `change`; when it is rejected for bad input (a ConfigError's problems, a name that is not there)
 * that is the caller's to fix and answers as bad arguments, anything else failed.
 *
 * @example
 * ```ts
 * await changing("agent.batchSize", () => server.setBatchSize("ghost", 16)); // CommandError "bad-arguments"
 * ```
 */
export async function changing<T>(command: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (thrown) {
    if (thrown instanceof Error && thrown.name === "ConfigError") {
      const problems = (thrown as Error & { problems: string[] }).problems;
      throw new CommandError("bad-arguments", command, `command "${command}": ${problems.join("; ")}`);
    }
    if (thrown instanceof UnknownComponentError) throw new CommandError("bad-arguments", command, `command "${command}": ${thrown.message}`);
    throw thrown;
  }
}

function managementCommands(server: ServerControls): Omit<CommandDefinition, "owner">[] {
  return [
    {
      name: "config.update",
      usage: "config.update <handler | agent/handler> key=value…",
      description: "changes a handler's configMap live (values parse as JSON, else text; null removes a key)",
      run: async (args) => {
        const handler = single("config.update", args, "the handler", "handler");
        const patch = entryOf("config.update", args);
        delete patch.handler;
        if (Object.keys(patch).length === 0) throw new CommandError("bad-arguments", "config.update", `command "config.update" needs at least one key=value`);
        const result = await server.updateConfig(handler, patch);
        if (!result.ok) throw new CommandError("failed", "config.update", result.error ?? "update rejected");
        return result as unknown as JsonValue;
      },
    },
    {
      name: "server.processors.add",
      usage: "server.processors.add agentName=<agent> name=<handler> handler=<module path> [configMap={…}] [idleStrategy=<name>]",
      description: "adds a handler to a running agent, or to a new one",
      run: (args) => changing("server.processors.add", () => server.addHandler(entryOf("server.processors.add", args))) as Promise<JsonValue>,
    },
    {
      name: "server.processors.remove",
      usage: "server.processors.remove <agent>/<handler>",
      description: "stops and removes a handler; its rings drain, the other handlers lose nothing",
      run: async (args) => {
        await changing("server.processors.remove", () => server.removeHandler(single("server.processors.remove", args, "the handler as agent/handler", "handler")));
        return { removed: true };
      },
    },
    {
      name: "eventSources.add",
      usage: "eventSources.add name=<feed> type=<type> [key=value…]",
      description: "adds a feed (the keys of an eventFeeds entry)",
      run: (args) => changing("eventSources.add", () => server.addFeed(entryOf("eventSources.add", args))) as Promise<JsonValue>,
    },
    {
      name: "eventSources.remove",
      usage: "eventSources.remove <feed>",
      description: "stops and removes a feed; what it published is still delivered",
      run: async (args) => {
        await changing("eventSources.remove", () => server.removeFeed(single("eventSources.remove", args, "the feed's name", "name")));
        return { removed: true };
      },
    },
    {
      name: "server.service.list",
      usage: "server.service.list",
      description: "every service: kind, agents with an instance, feeds it publishes",
      run: () => server.services() as JsonValue,
    },
    {
      name: "server.service.add",
      usage: "server.service.add name=<service> handler=<module path> [configMap={…}] [agentName=<agent>]",
      description: "adds a service; handlers on its agents are told (onServiceRegistered)",
      run: (args) => changing("server.service.add", () => server.addService(entryOf("server.service.add", args))) as Promise<JsonValue>,
    },
    {
      name: "server.service.remove",
      usage: "server.service.remove <service>",
      description: "removes a service (handlers told first); an unknown name does nothing",
      run: async (args) => ({ removed: await server.removeService(single("server.service.remove", args, "the service's name", "name")) }),
    },
  ];
}

/**
 * Registers the management commands in `registry`, acting on `server`.
 *
 * @example
 * ```ts
 * registerManagementCommands(registry, server);
 * await registry.invoke("config.update", ["pnl", "threshold=10"]);
 * ```
 */
export function registerManagementCommands(registry: CommandRegistry, server: ServerControls): void {
  for (const command of managementCommands(server)) registry.register({ ...command, owner: BUILT_IN_OWNER });
}
