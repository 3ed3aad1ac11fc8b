/**
 * The argument convention of admin commands. Arguments are one JSON value: CLI-style callers
 * (`mongoose admin help quit`, a shell) pass an array of strings, where `key=value` items are named and
 * the others positional; HTTP callers pass an object of named arguments (positional ones under `_`).
 * No arguments is `undefined`/`null`. Commands read both forms through {@link commandArgs}.
 *
 * @module
 */
import { CommandError } from "./command-error.ts";
import type { JsonValue } from "./json-value.ts";

/** Arguments in one shape, whichever form the caller used. */
export interface CommandArgs {
  positional: string[];
  named: Record<string, JsonValue>;
}

/**
 * Reads `args` in either form; throws a bad-arguments {@link CommandError} naming `command` for
 * anything else.
 *
 * @example
 * ```ts
 * commandArgs("config.update", ["pnl", "currency=EUR"]); // { positional: ["pnl"], named: { currency: "EUR" } }
 * commandArgs("config.update", { _: ["pnl"], currency: "EUR" }); // the same
 * ```
 */
export function commandArgs(command: string, args: JsonValue | undefined): CommandArgs {
  if (args === undefined || args === null) return { positional: [], named: {} };
  if (typeof args === "string") return { positional: [args], named: {} };
  if (Array.isArray(args)) {
    const parsed: CommandArgs = { positional: [], named: {} };
    for (const item of args) {
      if (typeof item !== "string") throw new CommandError("bad-arguments", command, `command "${command}": arguments given as a list must be strings, found ${JSON.stringify(item)}`);
      const equals = item.indexOf("=");
      if (equals > 0) parsed.named[item.slice(0, equals)] = item.slice(equals + 1);
      else parsed.positional.push(item);
    }
    return parsed;
  }
  if (typeof args === "object") {
    const { _: positional = [], ...named } = args;
    if (!Array.isArray(positional) || !positional.every((p) => typeof p === "string")) {
      throw new CommandError("bad-arguments", command, `command "${command}": "_" must be a list of strings, found ${JSON.stringify(positional)}`);
    }
    return { positional: positional as string[], named };
  }
  throw new CommandError("bad-arguments", command, `command "${command}": arguments must be a list of strings or an object, found ${JSON.stringify(args)}`);
}

/**
 * A value typed on a command line: JSON where it parses (numbers, booleans, null, objects), else the text
 * itself. Values given as JSON already (an HTTP body's) are returned as they are.
 *
 * @example
 * ```ts
 * typedArgument("42"); // 42
 * typedArgument('{"type":"sleeping"}'); // { type: "sleeping" }
 * typedArgument("backoff"); // "backoff"
 * ```
 */
export function typedArgument(value: JsonValue): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
