/**
 * The `mongoose` command line. Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { runDemo } from "./cli/run.ts";
import { BootError, ConfigError } from "./core/errors.ts";
import { LOG_LEVELS, type LogLevel } from "./core/log.ts";
import packageJson from "../package.json" with { type: "json" };

const USAGE = `mongoose ${packageJson.version}: event-processing server

Usage:
  mongoose run               run the built-in demo (a trade feed, a VWAP handler, a console sink)
  mongoose --version         print the version
  mongoose --help            print this help

Options:
  --log-level LEVEL          ${LOG_LEVELS.join(" | ")} (default info)
  --log-format FORMAT        text | json (default text)
`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
        "log-level": { type: "string" },
        "log-format": { type: "string" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    console.log(packageJson.version);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const logLevel = values["log-level"] ?? "info";
  const logFormat = values["log-format"] ?? "text";
  if (!LOG_LEVELS.includes(logLevel as LogLevel) || (logFormat !== "text" && logFormat !== "json")) {
    console.error(`invalid --log-level or --log-format\n\n${USAGE}`);
    return 2;
  }
  if (command !== "run") {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.length > 0) {
    console.error(`this version runs only the built-in demo; loading ${rest[0]} needs the YAML loader, which is not available yet`);
    return 2;
  }
  try {
    return await runDemo({ logLevel: logLevel as LogLevel, logFormat });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof BootError) {
      console.error(error.message);
      return error instanceof ConfigError ? 2 : 1;
    }
    throw error;
  }
}

process.exit(await main(process.argv.slice(2)));
