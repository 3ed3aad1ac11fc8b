/**
 * The `mongoose` command line. Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { adminClient } from "./cli/admin-client.ts";
import { bench } from "./cli/bench.ts";
import { COMMAND_HELP, USAGE, UsageError } from "./cli/usage.ts";
import { versionText } from "./cli/version.ts";
import { configSource } from "./cli/config-source.ts";
import { parseReplayArguments, replay } from "./cli/replay.ts";
import { run } from "./cli/run.ts";
import { smoke } from "./cli/smoke.ts";
import { validate } from "./cli/validate.ts";
import { ConfigError } from "./config/config-error.ts";
import { BootError } from "./core/errors.ts";
import { LOG_LEVELS, type LogLevel } from "./log/log.ts";

async function main(argv: string[]): Promise<number> {
  // bench, admin, smoke and replay have options of their own: each parses everything after its name.
  if (argv[0] === "bench" && !argv.includes("--help") && !argv.includes("-h")) return await bench(argv.slice(1));
  if (argv[0] === "admin" && !argv.includes("--help") && !argv.includes("-h")) return await adminClient(argv.slice(1));
  if (argv[0] === "smoke" && !argv.includes("--help") && !argv.includes("-h")) return await smoke(argv.slice(1));
  if (argv[0] === "replay" && !argv.includes("--help") && !argv.includes("-h")) return await replay(parseReplayArguments(argv.slice(1)));
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      print: { type: "boolean" },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
    },
  });
  if (values.version) {
    console.log(versionText());
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!(command in COMMAND_HELP)) throw new UsageError(`unknown command "${command}"`);
  if (values.help) {
    console.log(COMMAND_HELP[command]);
    return 0;
  }
  const logLevel = values["log-level"] ?? "info";
  const logFormat = values["log-format"] ?? "text";
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  if (logFormat !== "text" && logFormat !== "json") throw new UsageError(`--log-format must be text or json, got "${logFormat}"`);
  switch (command) {
    case "run":
      if (rest.length > 1) throw new UsageError("run takes at most one configuration file");
      return await run(configSource(rest[0]), { logLevel: logLevel as LogLevel, logFormat });
    case "validate":
      if (rest.length !== 1) throw new UsageError("validate takes one configuration file");
      console.log(await validate(configSource(rest[0]), values.print ?? false));
      return 0;
    default:
      throw new Error(`mongoose ${command} has help but no implementation`);
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  if (error instanceof BootError) {
    console.error(error.message);
    process.exit(1);
  }
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  throw error;
}
