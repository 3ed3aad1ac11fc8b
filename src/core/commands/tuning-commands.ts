/**
 * The admin commands that tune a running server without a restart: an agent's idle strategy and batch
 * size, a subscription's full-ring policy, pausing feeds and handlers, and showing, reverting and
 * persisting what is tuned. They call the embedding API through {@link TuningControls}, so HTTP,
 * `mongoose admin` and `server.command` get the same checks and errors. Every change answers once the
 * owning agent applied it, with what is now tuned away from the configuration.
 *
 * @module
 */
import { HANDLER_PAUSE_POLICIES, type HandlerPausePolicy, type TuningOverlay } from "../../plan/tuning.ts";
import { FULL_RING_POLICIES, type FullRingPolicy } from "../../transport/full-ring-policy.ts";
import { commandArgs, typedArgument } from "./command-args.ts";
import { CommandError } from "./command-error.ts";
import { BUILT_IN_OWNER, type CommandDefinition, type CommandRegistry } from "./command-registry.ts";
import type { JsonValue } from "./json-value.ts";
import { changing } from "./management-commands.ts";

/** What the tuning commands call: the embedding API's tuning methods. */
export interface TuningControls {
  /** `spec`: a name or a `{type, …}` object (checked like `idleStrategy` in the configuration). */
  setIdleStrategy(agent: string, spec: unknown): Promise<void>;
  setBatchSize(agent: string, size: number): Promise<void>;
  setOnFull(feed: string, agent: string, policy: FullRingPolicy): Promise<void>;
  pauseFeed(feed: string): Promise<void>;
  resumeFeed(feed: string): Promise<void>;
  pauseHandler(handler: string, policy?: HandlerPausePolicy): Promise<void>;
  resumeHandler(handler: string): Promise<void>;
  tuning(): TuningOverlay;
  resetTuning(): Promise<TuningOverlay>;
  /** Writes the overlay file; resolves with its path. */
  persistTuning(): Promise<string>;
}

/**
 * The names these commands take (reserved: no handler may register them).
 *
 * @example
 * ```ts
 * TUNING_COMMANDS.includes("feed.pause"); // true
 * ```
 */
export const TUNING_COMMANDS: readonly string[] = [
  "agent.idleStrategy",
  "agent.batchSize",
  "subscription.onFull",
  "feed.pause",
  "feed.resume",
  "handler.pause",
  "handler.resume",
  "tuning.show",
  "tuning.reset",
  "tuning.persist",
];

/** The positional arguments a command needs, in order (named ones are accepted under the same keys). */
function needs(command: string, args: JsonValue | undefined, keys: string[], optional: string[] = []): Record<string, string | undefined> {
  const { positional, named } = commandArgs(command, args);
  const usage = `${command} ${keys.map((k) => `<${k}>`).join(" ")}${optional.map((k) => ` [${k}]`).join("")}`;
  const values: Record<string, string | undefined> = {};
  [...keys, ...optional].forEach((key, i) => {
    const value = positional[i] ?? named[key];
    if (value !== undefined && typeof value !== "string") values[key] = JSON.stringify(value);
    else values[key] = value;
  });
  const missing = keys.filter((key) => values[key] === undefined || values[key] === "");
  if (missing.length > 0) throw new CommandError("bad-arguments", command, `command "${command}" needs ${missing.join(" and ")}: ${usage}`);
  return values;
}

/** `value` if it is one of `allowed`, else a bad-arguments error naming them. */
function oneOf<T extends string>(command: string, what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CommandError("bad-arguments", command, `command "${command}": ${what} must be one of ${allowed.join(", ")}, got "${value}"`);
}

/** Runs a change (the caller's mistakes answer as bad arguments), then answers with what is tuned now. */
async function tuning(command: string, controls: TuningControls, change: () => Promise<unknown>): Promise<JsonValue> {
  await changing(command, change);
  return { tuned: controls.tuning() as JsonValue };
}

function tuningCommands(controls: TuningControls): Omit<CommandDefinition, "owner">[] {
  return [
    {
      name: "agent.idleStrategy",
      usage: "agent.idleStrategy <agent> <name | JSON spec>",
      description: "switches an agent's idle strategy from its next idle cycle (e.g. busySpin → backoff)",
      run: (args) => {
        const { agent, spec } = needs("agent.idleStrategy", args, ["agent", "spec"]);
        return tuning("agent.idleStrategy", controls, () => controls.setIdleStrategy(agent!, typedArgument(spec!)));
      },
    },
    {
      name: "agent.batchSize",
      usage: "agent.batchSize <agent> <n>",
      description: "sets the most events an agent takes from one ring per duty cycle, from its next poll",
      run: (args) => {
        const { agent, size } = needs("agent.batchSize", args, ["agent", "size"]);
        const n = Number(size);
        return tuning("agent.batchSize", controls, () => controls.setBatchSize(agent!, n));
      },
    },
    {
      name: "subscription.onFull",
      usage: `subscription.onFull <feed> <agent> <${FULL_RING_POLICIES.join(" | ")}>`,
      description: "sets the full-ring policy of the ring carrying a feed into a subscribing agent",
      run: (args) => {
        const { feed, agent, policy } = needs("subscription.onFull", args, ["feed", "agent", "policy"]);
        const onFull = oneOf("subscription.onFull", "the policy", policy!, FULL_RING_POLICIES);
        return tuning("subscription.onFull", controls, () => controls.setOnFull(feed!, agent!, onFull));
      },
    },
    {
      name: "feed.pause",
      usage: "feed.pause <feed>",
      description: "pauses a feed: it reads and publishes nothing until feed.resume (a file keeps its position)",
      run: (args) => tuning("feed.pause", controls, () => controls.pauseFeed(needs("feed.pause", args, ["feed"]).feed!)),
    },
    {
      name: "feed.resume",
      usage: "feed.resume <feed>",
      description: "resumes a paused feed where it stopped",
      run: (args) => tuning("feed.resume", controls, () => controls.resumeFeed(needs("feed.resume", args, ["feed"]).feed!)),
    },
    {
      name: "handler.pause",
      usage: `handler.pause <agent/handler> [${HANDLER_PAUSE_POLICIES.join(" | ")}]`,
      description: "pauses a handler's events: hold (default) stops its rings, backpressure upstream; drop counts them dropped",
      run: (args) => {
        const { handler, policy } = needs("handler.pause", args, ["handler"], ["policy"]);
        const how = policy === undefined ? undefined : oneOf("handler.pause", "the policy", policy, HANDLER_PAUSE_POLICIES);
        return tuning("handler.pause", controls, () => controls.pauseHandler(handler!, how));
      },
    },
    {
      name: "handler.resume",
      usage: "handler.resume <agent/handler>",
      description: "delivers to a paused handler again (held rings continue where they stopped)",
      run: (args) => tuning("handler.resume", controls, () => controls.resumeHandler(needs("handler.resume", args, ["handler"]).handler!)),
    },
    {
      name: "tuning.show",
      usage: "tuning.show",
      description: "what is tuned away from the configuration (the overlay tuning.persist would write)",
      run: () => ({ tuned: controls.tuning() as JsonValue }),
    },
    {
      name: "tuning.reset",
      usage: "tuning.reset",
      description: "reverts every runtime tuning to the configuration; answers what was tuned",
      run: async () => ({ reverted: await controls.resetTuning() as JsonValue, tuned: controls.tuning() as JsonValue }),
    },
    {
      name: "tuning.persist",
      usage: "tuning.persist",
      description: "writes what is tuned to the overlay file, applied at the next boot (an empty tuning removes it)",
      run: async () => ({ overlay: await controls.persistTuning(), tuned: controls.tuning() as JsonValue }),
    },
  ];
}

/**
 * Registers the tuning commands in `registry`, acting on `controls`.
 *
 * @example
 * ```ts
 * registerTuningCommands(registry, server);
 * await registry.invoke("agent.batchSize", ["processor", "16"]);
 * ```
 */
export function registerTuningCommands(registry: CommandRegistry, controls: TuningControls): void {
  for (const command of tuningCommands(controls)) registry.register({ ...command, owner: BUILT_IN_OWNER });
}
