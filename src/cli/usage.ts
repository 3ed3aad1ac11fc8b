/**
 * Help texts of the `mongoose` command line.
 *
 * @module
 */
import { VERSION } from "./version.ts";

const OPTIONS = `Options:
  --log-level LEVEL    debug | info | warn | error | silent (default info)
  --log-format FORMAT  text | json (default text); logs go to stderr
  -h, --help           help for the command`;

/** Per-command help. */
export const COMMAND_HELP: Record<string, string> = {
  run: `Usage: mongoose run [config.yaml] [options]

Boots the server from a YAML configuration (without one: the built-in demo) and runs until SIGINT or
SIGTERM, then drains every ring and stops. A second signal exits at once; a signal during the boot
aborts it. SIGHUP is logged and ignored. Runtime tuning persisted by mongoose admin --persist is read
from the overlay next to the file (app.yaml → app.tuning.yaml) and applied once the server started.

${OPTIONS}`,
  validate: `Usage: mongoose validate <config.yaml> [--print] [options]

Checks a configuration without starting anything: the schema, names and references, environment
variables, and every module it names (handlers, mappers, plugins). Exit 0 when valid, 2 when not; every
problem is listed with its file, line and column.

  --print              print the effective configuration (defaults applied) as YAML
${OPTIONS}`,
  bench: `Usage: mongoose bench [options]

The one-hop benchmark: a publisher agent sends ticks through a ring to a handler on another agent;
prints throughput and one-way latency (from each tick's intended send time, so a stalled publisher's
backlog counts: coordinated omission accounted for).

Options:
  --rate N|max         events per second, or back to back (default max)
  --seconds S          measured seconds (default 5)
  --events N           measured events instead of seconds (e.g. 10000000 for a heap check)
  --warmup S           warm-up seconds before measuring (default 1)
  --codec struct|json  fixed-layout events (zero allocation) or plain objects (default struct)
  --idle NAME          the receiving agent's idle strategy (default busySpin; the publisher always spins)
  --batch N            events per duty cycle, both sides (default 256)
  --batch-claim        struct only: the publisher claims each duty cycle's ticks as one batch
                       (ctx.claimBatch: one record header per batch) instead of one claim each
  --baseline           also run the same ticks by postMessage in the same run
  --handler-latency off|N  the server's per-handler latency recording on the receiver: off, or 1 event in N (default 64)
  --journal DIR        journal the receiving handler into DIR (journal: {dir: DIR}); default no journal
  --hgrm FILE          write the latency distribution (HdrHistogram text, values in µs)
  --json               print one JSON object instead of a summary`,
  replay: `Usage: mongoose replay <config.yaml> --journal DIR [options]

Re-drives journaled handlers from the journal of a recorded run (the configuration's journal:), on one
thread: each handler is built from its module with its recorded start config and ctx.random() seed, gets
its recorded events, timer firings and config updates in order, and reads ctx.clock as the time each
was recorded; its timers fire where the journal has them, not by wall time. Handlers' records are
merged by recorded time, ties by handler name. Values go to the configuration's sinks (or overrides);
live feeds, services and the admin server are not started. A progress bar shows on a terminal; a
summary is printed at the end.

  --journal DIR          the journal folder (required)
  --handler NAME         replay only this handler (repeatable; default every journaled handler)
  --speed max|realtime|N as fast as possible (default), the recorded pace, or N times it
  --until TIME           stop before the first record later than TIME (epoch ms or ISO date-time)
  --sink NAME=file:PATH  write sink NAME to the file PATH instead (repeatable; keeps its valueMapper)
  --log-level LEVEL      debug | info | warn (default) | error | silent
  --log-format FORMAT    text | json (default text); logs go to stderr
  -h, --help             this help

Exit codes: 0 replayed, 1 the sinks did not stop cleanly, 2 usage, configuration or journal error.`,
  admin: `Usage: mongoose admin <command> [args…] [--persist] [--url URL] [--token T]
       mongoose admin --reset [--persist] [--url URL] [--token T]
       mongoose admin --list [--url URL] [--token T]

Runs an admin command on a running server (through its admin HTTP server) and prints the result.
Arguments after the command name are passed as a list of strings: key=value items are named, the
others positional (e.g. mongoose admin config.update pnl currency=EUR).

  --url URL            the admin server (default $MONGOOSE_ADMIN_URL, else http://127.0.0.1:8080/)
  --token T            its admin.token (default $MONGOOSE_ADMIN_TOKEN)
  --list               list the commands
  --reset              revert every runtime tuning to the configuration (the tuning.reset command)
  --persist            then write what is tuned to the overlay file, applied at the next boot
                       (tuning.persist; nothing tuned removes the file)
  -h, --help           this help

Exit codes: 0 success, 1 the command failed (its error and kind are printed) or the server could not
be reached or refused the token, 2 usage.`,
  smoke: `Usage: mongoose smoke [--url URL] [--token T] [--feed NAME --sample FILE] [options]

Checks a running server after a deploy, through its admin HTTP server, and prints one line per check:
reachable, live, ready (with the server's reasons), every agent's duty cycle advancing, no ring backed
up or dropping, and optionally sample events reaching the sinks and p99 latency under a limit.

  --url URL              the admin server (default $MONGOOSE_ADMIN_URL, else http://127.0.0.1:8080/)
  --token T              its admin.token (default $MONGOOSE_ADMIN_TOKEN); injecting needs it when set
  --feed NAME            a memory feed to offer the sample events to (with --sample)
  --sample FILE          JSON lines, one event each, offered to --feed
  --expect-sink NAME=N   sink NAME must write N more values (repeatable; default every sink, one
                         value per sample line)
  --p99-max DURATION     every handler's publish-to-handle p99 at most this (e.g. 500us, 2ms)
  --timeout DURATION     how long the sinks get to write the sample's outputs (default 10s)
  --window DURATION      how long each agent gets to show its duty cycle moving (default 5s: a parked
                         agent beats when the watchdog probes it, every few seconds)
  --max-backlog PCT      a ring fuller than this is backed up (default 50%)
  --json                 print one JSON object {ok, url, checks: [{name, ok, detail}]}
  -h, --help             this help

Exit codes: 0 every check passed, 1 a check failed or the server could not be reached, 2 usage.`,
};

/** `mongoose --help`. */
export const USAGE = `mongoose ${VERSION}: event-processing server

Usage:
  mongoose run [config.yaml]         run a configuration (no file: the built-in demo)
  mongoose validate <config.yaml>    check a configuration without starting anything
  mongoose bench [options]           the one-hop benchmark (mongoose bench --help)
  mongoose replay <config.yaml>      re-drive journaled handlers from --journal DIR (mongoose replay --help)
  mongoose admin <command> [args…]   run an admin command on a running server (mongoose admin --list)
  mongoose smoke [--url URL]         check a running server after a deploy (mongoose smoke --help)
  mongoose --version | --help        version, this help; mongoose <command> --help for a command

Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.`;

/** A mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
