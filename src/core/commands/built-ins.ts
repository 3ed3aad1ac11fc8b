/**
 * The server's own admin commands that read it or stop it: `help`, `commands`, `eventSources`,
 * `server.processors.list`, `latency.reset` and `quit`. They read the server through {@link ServerFacts}, so this file
 * knows nothing of how it runs; the commands that change it are in management-commands.ts.
 *
 * @module
 */
import type { FeedStatusEntry } from "../protocol.ts";
import { commandArgs } from "./command-args.ts";
import { CommandError } from "./command-error.ts";
import { BUILT_IN_OWNER, type CommandDefinition, type CommandRegistry } from "./command-registry.ts";
import type { JsonValue } from "./json-value.ts";
import { MANAGEMENT_COMMANDS } from "./management-commands.ts";
import { TUNING_COMMANDS } from "./tuning-commands.ts";

/** An agent as the built-ins describe it (a subset of the server's topology). */
export interface AgentFacts {
  name: string;
  mode: string;
  idleStrategy: string;
  state: string;
  handlers: { name: string; subscriptions: string[] }[];
}

/** A feed as the built-ins describe it. */
export interface FeedFacts {
  name: string;
  type: string;
  broadcast: boolean;
  host: string;
}

/** What the built-ins read from, and do to, the running server. */
export interface ServerFacts {
  topology(): { agents: AgentFacts[]; feeds: FeedFacts[] };
  feedStatus(): Promise<FeedStatusEntry[]>;
  /** The server's graceful, draining stop. */
  stop(): Promise<unknown>;
  /** Told if the stop that `quit` started failed. */
  stopFailed(thrown: unknown): void;
  /** Starts a new latency interval; false when latency recording is off. */
  resetLatency(): boolean;
}

/**
 * The names the server's commands take (these, the management and the tuning commands); no handler may register them.
 *
 * @example
 * ```ts
 * BUILT_IN_COMMANDS.includes("help"); // true
 * ```
 */
export const BUILT_IN_COMMANDS: readonly string[] = ["help", "commands", "eventSources", "server.processors.list", "latency.reset", "quit", ...MANAGEMENT_COMMANDS, ...TUNING_COMMANDS];

type BuiltIn = Omit<CommandDefinition, "owner">;

function builtIns(registry: CommandRegistry, server: ServerFacts): BuiltIn[] {
  return [
    {
      name: "help",
      usage: "help [command]",
      description: "lists every command with one line each, or describes one",
      run: (args) => {
        const [name] = commandArgs("help", args as JsonValue).positional;
        if (name !== undefined) {
          const info = registry.info(name);
          return `${info.usage}\n  ${info.description} (${info.owner})`;
        }
        const commands = registry.list();
        const width = Math.max(...commands.map((c) => c.name.length));
        return commands.map((c) => `${c.name.padEnd(width)}  ${c.description}`).join("\n");
      },
    },
    {
      name: "commands",
      usage: "commands",
      description: "every command as JSON: name, description, usage, owner",
      run: () => registry.list() as unknown as JsonValue,
    },
    {
      name: "eventSources",
      usage: "eventSources",
      description: "the feeds: type, host agent, subscribing handlers, connected status",
      run: async () => {
        const { agents, feeds } = server.topology();
        const status = new Map((await server.feedStatus()).filter((s) => s.kind !== "sink").map((s) => [s.feed, s]));
        return feeds.map((feed) => {
          const state = status.get(feed.name);
          const subscribers = agents.flatMap((agent) =>
            agent.handlers.filter((h) => h.subscriptions.includes(feed.name)).map((h) => `${agent.name}/${h.name}`)
          );
          return {
            name: feed.name,
            type: feed.type,
            host: feed.host,
            broadcast: feed.broadcast,
            subscribers,
            connected: state?.connected ?? false,
            completed: state?.completed ?? false,
            ...(state?.detail === undefined ? {} : { detail: state.detail }),
          };
        });
      },
    },
    {
      name: "server.processors.list",
      usage: "server.processors.list",
      description: "agents hosting handlers: mode, idle strategy, state, handlers with subscriptions and commands",
      run: () => {
        const commands = registry.list();
        return server.topology().agents.filter((agent) => agent.handlers.length > 0).map((agent) => ({
          name: agent.name,
          mode: agent.mode,
          idleStrategy: agent.idleStrategy,
          state: agent.state,
          handlers: agent.handlers.map((h) => ({
            name: h.name,
            subscriptions: h.subscriptions,
            commands: commands.filter((c) => c.owner === `${agent.name}/${h.name}`).map((c) => c.name),
          })),
        }));
      },
    },
    {
      name: "latency.reset",
      usage: "latency.reset",
      description: "starts a new latency interval: /api/latency counts from now (the agents keep recording)",
      run: () => {
        if (!server.resetLatency()) throw new CommandError("failed", "latency.reset", "latency recording is off (latency.enabled: false)");
        return { reset: true };
      },
    },
    {
      name: "quit",
      usage: "quit",
      description: "stops the server gracefully (drains every ring); answers before the stop completes",
      run: () => {
        // After this reply reaches the caller: the stop drains and ends every agent.
        setTimeout(() => server.stop().catch((thrown) => server.stopFailed(thrown)), 0);
        return { stopping: true };
      },
    },
  ];
}

/**
 * Registers the built-ins in `registry`, reading and stopping `server`.
 *
 * @example
 * ```ts
 * registerBuiltIns(registry, { topology: () => server.topology(), feedStatus: () => server.feedStatus(), stop: () => server.stop(), stopFailed: log.error, resetLatency: () => server.resetLatency() });
 * await registry.invoke("help", ["quit"]);
 * ```
 */
export function registerBuiltIns(registry: CommandRegistry, server: ServerFacts): void {
  for (const command of builtIns(registry, server)) {
    if (!BUILT_IN_COMMANDS.includes(command.name) || MANAGEMENT_COMMANDS.includes(command.name) || TUNING_COMMANDS.includes(command.name)) throw new Error(`built-in command "${command.name}" is missing from BUILT_IN_COMMANDS`);
    registry.register({ ...command, owner: BUILT_IN_OWNER });
  }
}
