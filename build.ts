/**
 * Builds what the project ships:
 *
 * - `bun build.ts [outfile]` (`npm run build`): the binary for this machine, default `dist/mongoose`.
 * - `bun build.ts --release [--outdir DIR] [platform…]` (`npm run release`): a binary per platform and
 *   `SHA256SUMS` in `dist/release/` (all six platforms unless some are named, e.g. `linux-arm64`).
 * - `bun build.ts --package` (run by `npm pack` as `prepack`): the npm package's JavaScript and type
 *   declarations in `lib/`.
 */
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { compileBinary } from "./build/binary.ts";
import { ROOT } from "./build/bun-executable.ts";
import { buildPackage } from "./build/package.ts";
import { release } from "./build/release.ts";

/** The host as release names it (`linux-x64`, `darwin-arm64`, `windows-x64`). */
function hostPlatform(): string {
  return `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
}

try {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { release: { type: "boolean" }, package: { type: "boolean" }, outdir: { type: "string" } },
  });
  if (values.release) release(values.outdir ?? join(ROOT, "dist/release"), positionals.length > 0 ? positionals : undefined);
  else if (values.package) buildPackage(join(ROOT, "lib"));
  else compileBinary(positionals[0] ?? "dist/mongoose", { label: hostPlatform() });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
