/**
 * Runs this repository's programs the way a user does, under the runtime running the tests.
 */
import { spawn } from "node:child_process";
import process from "node:process";

/** Command line that runs a TypeScript file with the current runtime. */
export function runtimeCommand(file: string, args: string[] = []): string[] {
  return "Deno" in globalThis ? [process.execPath, "run", "-A", file, ...args] : [process.execPath, file, ...args];
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Once stdout contains this text, send SIGINT (a user pressing Ctrl-C). */
  interruptAfter?: string;
  /** Polled every 20 ms with the output so far while the program runs; once true, send SIGINT (e.g. an output file is complete). */
  interruptWhen?: (output: { stdout: string; stderr: string }) => boolean;
  timeoutMs?: number;
  /** Adds to (or overrides) this process's environment. */
  env?: Record<string, string>;
  /** The working directory (default this process's). */
  cwd?: string;
}

/** A running program. */
export interface Child {
  onStdout(listener: (text: string) => void): void;
  onStderr(listener: (text: string) => void): void;
  /** Sends a signal (default SIGINT: Ctrl-C; SIGHUP: its terminal closed). */
  interrupt(signal?: "SIGINT" | "SIGTERM" | "SIGHUP"): void;
  /** SIGKILL. */
  kill(): void;
  exitCode: Promise<number | null>;
}

// Deno's node:child_process reports a child that exited 0 after handling SIGINT as killed by the
// signal (code null); Deno.Command reports the real exit code, so Deno uses it.
/**
 * Starts a program; its output is discarded unless listeners are attached at once. `extraEnv` adds to (or
 * overrides) this process's environment. A `mongoose run` started here serves its admin server on a free
 * port unless its YAML or `env` names one (MONGOOSE_ADMIN_PORT=0), so no test depends on 8080 being free.
 * `cwd` is the working directory (default this process's).
 */
export function start(command: string[], extraEnv: Record<string, string> = {}, cwd?: string): Child {
  const env = { MONGOOSE_ADMIN_PORT: "0", ...extraEnv };
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  if (deno) {
    const child = new deno.Command(command[0], { args: command.slice(1), env, cwd, stdout: "piped", stderr: "piped", stdin: "null" }).spawn();
    const pump = (stream: ReadableStream<Uint8Array>, listener: (text: string) => void) =>
      stream.pipeThrough(new TextDecoderStream()).pipeTo(new WritableStream({ write: (text) => listener(text) }));
    let stdout: Promise<void> = Promise.resolve();
    let stderr: Promise<void> = Promise.resolve();
    return {
      onStdout: (listener) => void (stdout = pump(child.stdout, listener)),
      onStderr: (listener) => void (stderr = pump(child.stderr, listener)),
      interrupt: (signal = "SIGINT") => child.kill(signal),
      kill: () => child.kill("SIGKILL"),
      exitCode: child.status.then(async (status) => {
        await Promise.all([stdout, stderr]);
        return status.code;
      }),
    };
  }
  const child = spawn(command[0], command.slice(1), { env: { ...process.env, ...env }, cwd, stdio: ["ignore", "pipe", "pipe"] });
  return {
    onStdout: (listener) => void child.stdout.on("data", (chunk) => listener(String(chunk))),
    onStderr: (listener) => void child.stderr.on("data", (chunk) => listener(String(chunk))),
    interrupt: (signal = "SIGINT") => void child.kill(signal),
    kill: () => void child.kill("SIGKILL"),
    exitCode: new Promise((resolve) => child.on("close", (code) => resolve(code))),
  };
}

interface DenoLike {
  Command: new (command: string, options: Record<string, unknown>) => {
    spawn(): {
      stdout: ReadableStream<Uint8Array>;
      stderr: ReadableStream<Uint8Array>;
      kill(signal: string): void;
      status: Promise<{ code: number }>;
    };
  };
}

/** A `mongoose run` in progress, with what it logged so far. */
export interface RunningServer {
  child: Child;
  log(): string;
}

/**
 * Starts `mongoose run <yaml>` (the CLI entry `main`) under the current runtime, collecting its log (stderr);
 * `env` adds to its environment.
 *
 * @example
 * ```ts
 * const server = runServer(MAIN, "app.yaml");
 * server.child.interrupt("SIGTERM");
 * expect(await server.child.exitCode).toBe(0);
 * ```
 */
export function runServer(main: string, yaml: string, env: Record<string, string> = {}): RunningServer {
  const child = start(runtimeCommand(main, ["run", yaml]), env);
  let stderr = "";
  child.onStdout(() => {});
  child.onStderr((text) => (stderr += text));
  return { child, log: () => stderr };
}

/** Runs a command to completion and collects its output. */
export async function runProgram(command: string[], options: RunOptions = {}): Promise<Finished> {
  const child = start(command, options.env, options.cwd);
  let stdout = "";
  let stderr = "";
  let interrupted = false;
  child.onStdout((text) => {
    stdout += text;
    if (options.interruptAfter && !interrupted && stdout.includes(options.interruptAfter)) {
      interrupted = true;
      child.interrupt();
    }
  });
  child.onStderr((text) => (stderr += text));
  const poll = options.interruptWhen && setInterval(() => {
    if (interrupted || !options.interruptWhen!({ stdout, stderr })) return;
    interrupted = true;
    child.interrupt();
  }, 20);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${command.join(" ")} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
  });
  try {
    const code = await Promise.race([child.exitCode, timeout]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    clearInterval(poll);
  }
}
