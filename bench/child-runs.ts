/**
 * What the bench drivers share for measuring in fresh child processes: the command of each runtime, a
 * run of a script that prints one JSON line, and the median of repeated runs.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import process from "node:process";

const bin = (name: string) => join(process.cwd(), "node_modules", ".bin", name);

/**
 * How to run a script on each runtime (Deno with `gc()` exposed, for the heap checks).
 *
 * @example
 * ```ts
 * for (const runtime of Object.keys(RUNTIME_COMMANDS)) console.log(runtime);
 * ```
 */
export const RUNTIME_COMMANDS: Readonly<Record<string, readonly string[]>> = {
  bun: [bin("bun")],
  deno: [bin("deno"), "run", "-A", "--v8-flags=--expose-gc"],
};

/**
 * Runs `args` (a script and its arguments) on `runtime` and parses the last line it prints as JSON;
 * throws with its stderr if it fails.
 *
 * @example
 * ```ts
 * const report = runJson<BenchReport>("deno", ["src/main.ts", "bench", "--seconds", "2", "--json"]);
 * ```
 */
export function runJson<T>(runtime: string, args: readonly string[]): T {
  const [command, ...prefix] = RUNTIME_COMMANDS[runtime];
  const child = spawnSync(command, [...prefix, ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`${runtime} ${args.join(" ")} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as T;
}

/**
 * The middle value (the upper middle of an even count).
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export const median = (numbers: readonly number[]): number => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];
