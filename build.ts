/**
 * Builds what the project ships:
 *
 * - `bun build.ts [outfile]` (`npm run build`): the binary for this machine, default `dist/mongoose`.
 * - `bun build.ts --release [platform…]` (`npm run release`): a binary per platform and `SHA256SUMS` in
 *   `dist/release/` (all six platforms unless some are named, e.g. `linux-arm64`).
 * - `bun build.ts --package` (run by `npm pack` as `prepack`): the npm package's JavaScript and type
 *   declarations in `lib/`.
 */
import { join } from "node:path";
import process from "node:process";
import { compileBinary } from "./build/binary.ts";
import { ROOT } from "./build/bun-executable.ts";
import { buildPackage } from "./build/package.ts";
import { release } from "./build/release.ts";

const [first, ...rest] = process.argv.slice(2);
try {
  if (first === "--release") release(join(ROOT, "dist/release"), rest.length > 0 ? rest : undefined);
  else if (first === "--package") buildPackage(join(ROOT, "lib"));
  else compileBinary(first ?? "dist/mongoose", { label: hostPlatform() });
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}

/** The host as release names it (`linux-x64`, `darwin-arm64`, `windows-x64`). */
function hostPlatform(): string {
  return `${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
}
