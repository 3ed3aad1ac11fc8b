/**
 * `mongoose admin`: runs an admin command on a running server over its admin HTTP API and prints the
 * result (a string as text, anything else as indented JSON); `--list` lists the commands. `--reset`
 * reverts runtime tuning (`tuning.reset`) and `--persist` writes it to the overlay file afterwards
 * (`tuning.persist`, after the command if one is given). Exit 0 on success, 1 when a command fails or the
 * server cannot be reached or refuses the token, 2 on usage.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { CLIENT_HEADER } from "../admin/audit/audit-requests.ts";
import { UsageError } from "./usage.ts";

/**
 * Where the client looks without `--url` or `MONGOOSE_ADMIN_URL`: `mongoose run`'s default.
 *
 * @example
 * ```ts
 * const url = process.env.MONGOOSE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
 * ```
 */
export const DEFAULT_ADMIN_URL = "http://127.0.0.1:8080/";

/** Longest wait for the server's answer (its commands time out sooner: 10 s by default). */
const ANSWER_TIMEOUT_MS = 60_000;

/**
 * A running server's admin address and the headers every request to it carries (the token, if any).
 *
 * @example
 * ```ts
 * const target: AdminAddress = adminAddress("http://127.0.0.1:8080", "s3cret");
 * ```
 */
export interface AdminAddress {
  base: URL;
  headers: Record<string, string>;
}

/**
 * Runs `mongoose admin` with the arguments after `admin`; resolves with the exit code. Throws UsageError
 * for a bad command line.
 *
 * @example
 * ```ts
 * process.exit(await adminClient(["help", "quit", "--url", "http://127.0.0.1:8080/"]));
 * ```
 */
export async function adminClient(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { url: { type: "string" }, token: { type: "string" }, list: { type: "boolean" }, reset: { type: "boolean" }, persist: { type: "boolean" } },
  });
  const [command, ...args] = positionals;
  const { list, reset, persist } = values;
  if (!list && !reset && !persist && command === undefined) throw new UsageError("admin needs a command name, or --list, --reset or --persist");
  if (list && (command !== undefined || reset || persist)) throw new UsageError("admin --list takes no command, --reset or --persist");
  if (reset && command !== undefined) throw new UsageError("admin --reset reverts every runtime tuning (tuning.reset) and takes no command; add --persist to write that to the overlay file");
  const target = adminAddress(values.url ?? env.MONGOOSE_ADMIN_URL ?? DEFAULT_ADMIN_URL, values.token ?? env.MONGOOSE_ADMIN_TOKEN);
  if (list) return await listCommands(target);
  // In order, stopping at the first that fails: the revert, the command, then the write of the overlay.
  const steps = [...reset ? [{ name: "tuning.reset", args: [] as string[] }] : [], ...command === undefined ? [] : [{ name: command, args }], ...persist ? [{ name: "tuning.persist", args: [] }] : []];
  for (const step of steps) {
    const code = await runCommand(target, step.name, step.args);
    if (code !== 0) return code;
  }
  return 0;
}

/** Lists the server's commands; resolves with the exit code. */
async function listCommands(target: AdminAddress): Promise<number> {
  const body = await answer(target, "listing commands", await ask(target, "api/commands", { method: "GET" }));
  if (body === undefined) return 1;
  const commands = body as unknown as { name: string; usage: string; description: string; owner: string }[];
  const width = Math.max(...commands.map((c) => c.usage.length));
  for (const c of commands) console.log(`${c.usage.padEnd(width)}  ${c.description}${c.owner === "built-in" ? "" : ` (${c.owner})`}`);
  return 0;
}

/** Runs one command and prints its result; resolves with the exit code. */
async function runCommand(target: AdminAddress, command: string, args: string[]): Promise<number> {
  const response = await ask(target, `api/commands/${encodeURIComponent(command)}`, { method: "POST", ...(args.length > 0 && { body: JSON.stringify(args) }) });
  const body = await answer(target, `command "${command}"`, response);
  if (body === undefined) return 1;
  console.log(typeof body.result === "string" ? body.result : JSON.stringify(body.result, null, 2));
  return 0;
}

/** What the admin API answers: a command's `result`, a listing, or why it failed. */
interface AnswerBody {
  result?: unknown;
  error?: string;
  kind?: string;
  reasons?: string[];
}

/** The JSON body of a successful response; undefined (after printing why) for any failure. */
async function answer(target: AdminAddress, what: string, response: Response | string): Promise<AnswerBody | undefined> {
  if (typeof response === "string") {
    console.error(`mongoose admin: ${response}`);
    return undefined;
  }
  const body: AnswerBody = await response.json().catch(() => ({ error: `the server answered ${response.status} without JSON` }));
  if (response.status === 401) {
    console.error(`mongoose admin: ${target.base} refused the request (401 unauthorized): ${body.error}\nGive the server's admin.token with --token or MONGOOSE_ADMIN_TOKEN.`);
    return undefined;
  }
  if (!response.ok) {
    console.error(`mongoose admin: ${what} failed${body.kind ? ` (${body.kind})` : ` (HTTP ${response.status})`}: ${body.error ?? (body.reasons ?? []).join("; ")}`);
    return undefined;
  }
  return body;
}

/**
 * The admin server at `url` (`--url`), reached with `token` (`--token`); throws UsageError for a URL that
 * is not http(s).
 *
 * @example
 * ```ts
 * const target = adminAddress(values.url ?? env.MONGOOSE_ADMIN_URL ?? DEFAULT_ADMIN_URL, values.token ?? env.MONGOOSE_ADMIN_TOKEN);
 * ```
 */
export function adminAddress(url: string, token: string | undefined): AdminAddress {
  let base: URL;
  try {
    base = new URL(url.endsWith("/") ? url : `${url}/`);
  } catch {
    throw new UsageError(`--url (or MONGOOSE_ADMIN_URL) must be the admin server's address, e.g. ${DEFAULT_ADMIN_URL}; got "${url}"`);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new UsageError(`--url must be http:// or https://, got "${url}"`);
  // Announced so the server's audit log tells `mongoose admin` from other HTTP callers.
  return { base, headers: { [CLIENT_HEADER]: "cli", ...(token !== undefined && { authorization: `Bearer ${token}` }) } };
}

/**
 * The server's response to `path` (relative to the admin address), or why there is none: a message
 * naming the URL and how to point elsewhere.
 *
 * @example
 * ```ts
 * const response = await ask(target, "health/live", { method: "GET" });
 * if (typeof response === "string") console.error(response);
 * ```
 */
export async function ask(target: AdminAddress, path: string, init: RequestInit): Promise<Response | string> {
  try {
    return await fetch(new URL(path, target.base), { ...init, headers: { ...target.headers, ...init.headers as Record<string, string> }, signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? (error as Error).message;
    return `cannot reach the admin server at ${target.base} (${cause}). Is the server running with its admin server on (admin: in its YAML)? Point elsewhere with --url URL or MONGOOSE_ADMIN_URL.`;
  }
}
