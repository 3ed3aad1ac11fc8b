/**
 * `npm run build` (`bun build.ts`): compiles the single self-contained binary `dist/mongoose`.
 *
 * Every module loaded at run time by URL (worker entries, the demo handler) must be an extra
 * entrypoint, or the binary cannot find it; `src/entry-urls.ts` lists the same files.
 */
import { spawnSync } from "node:child_process";
import process from "node:process";

const entrypoints = [
  "src/main.ts",
  "src/workers/agent.ts",
  "src/demo/vwap.ts",
  "src/bench/bench-feed.ts",
  "src/bench/latency-handler.ts",
  "src/bench/post-message-worker.ts",
];
const outfile = process.argv[2] ?? "dist/mongoose";

const result = spawnSync(process.execPath, ["build", "--compile", ...entrypoints, "--outfile", outfile], { stdio: "inherit" });
process.exit(result.status ?? 1);
