/**
 * Compiles one self-contained `mongoose` binary with `bun build --compile`, for the host or for another
 * platform (Bun cross-compiles: it fetches that platform's runtime once, then works offline).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { bunExecutable } from "./bun-executable.ts";

/**
 * Every module loaded at run time by URL (worker entries, the demo handler) must be an extra entrypoint,
 * or the binary cannot find it; `src/entry-urls.ts` lists the same files.
 */
const BINARY_ENTRYPOINTS = [
  "src/main.ts",
  "src/workers/agent.ts",
  "src/demo/vwap.ts",
  "src/bench/bench-feed.ts",
  "src/bench/latency-handler.ts",
  "src/bench/post-message-worker.ts",
];

/**
 * Compiles the binary to `outfile`; `target` is a Bun target (`bun-linux-arm64`) or undefined for the
 * host, and `label` is what `mongoose --version` names as the target. Throws when Bun fails.
 *
 * @example
 * ```ts
 * compileBinary("dist/mongoose-linux-arm64", { target: "bun-linux-arm64", label: "linux-arm64" });
 * ```
 */
export function compileBinary(outfile: string, options: { target?: string; label: string }): void {
  const args = ["build", "--compile", ...BINARY_ENTRYPOINTS, "--outfile", outfile, "--define", `MONGOOSE_BUILD_TARGET=${JSON.stringify(options.label)}`];
  if (options.target) args.push(`--target=${options.target}`);
  const result = spawnSync(bunExecutable(), args, { stdio: "inherit" });
  if (result.status !== 0) throw new Error(`bun build --compile ${options.target ?? "(host)"} failed with status ${result.status}`);
}
