/**
 * Help texts of the `mongoose` command line.
 *
 * @module
 */
import packageJson from "../../package.json" with { type: "json" };

/** The version printed by `mongoose --version`. */
export const VERSION: string = packageJson.version;

const OPTIONS = `Options:
  --log-level LEVEL    debug | info | warn | error | silent (default info)
  --log-format FORMAT  text | json (default text); logs go to stderr
  -h, --help           help for the command`;

/** Per-command help. */
export const COMMAND_HELP: Record<string, string> = {
  run: `Usage: mongoose run [config.yaml] [options]

Boots the server from a YAML configuration (without one: the built-in demo) and runs until SIGINT or
SIGTERM, then drains every ring and stops. A second signal exits at once.

${OPTIONS}`,
  validate: `Usage: mongoose validate <config.yaml> [--print] [options]

Checks a configuration without starting anything: the schema, names and references, environment
variables, and every module it names (handlers, mappers, plugins). Exit 0 when valid, 2 when not; every
problem is listed with its file, line and column.

  --print              print the effective configuration (defaults applied) as YAML
${OPTIONS}`,
  bench: `Usage: mongoose bench [options]

The one-hop benchmark. Not available in this version: run \`npm run bench\` from the sources.`,
  admin: `Usage: mongoose admin <command> [args…] [--url URL] [--token T]

Invokes an admin command on a running server. Not available in this version (no admin server yet).`,
};

/** `mongoose --help`. */
export const USAGE = `mongoose ${VERSION}: event-processing server

Usage:
  mongoose run [config.yaml]         run a configuration (no file: the built-in demo)
  mongoose validate <config.yaml>    check a configuration without starting anything
  mongoose bench …                   the one-hop benchmark (not in this version)
  mongoose admin <command> …         admin commands on a running server (not in this version)
  mongoose --version | --help        version, this help; mongoose <command> --help for a command

Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.`;
