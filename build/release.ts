/**
 * `npm run release`: one binary per platform in `dist/release/`, named
 * `mongoose-<version>-<os>-<arch>[.exe]`, plus `SHA256SUMS` in the format `sha256sum -c` reads.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import packageJson from "../package.json" with { type: "json" };
import { compileBinary } from "./binary.ts";

/** The release platforms: the name in the file name (and in `--version`) and Bun's `--target`. */
export const RELEASE_TARGETS: Record<string, string> = {
  "linux-x64": "bun-linux-x64",
  "linux-x64-musl": "bun-linux-x64-musl",
  "linux-arm64": "bun-linux-arm64",
  "darwin-x64": "bun-darwin-x64",
  "darwin-arm64": "bun-darwin-arm64",
  "windows-x64": "bun-windows-x64",
};

/**
 * The file name of a platform's binary.
 *
 * @example
 * ```ts
 * releaseFileName("windows-x64"); // "mongoose-0.1.0-windows-x64.exe"
 * ```
 */
export function releaseFileName(platform: string): string {
  return `mongoose-${packageJson.version}-${platform}${platform.startsWith("windows-") ? ".exe" : ""}`;
}

/**
 * Builds the binaries of `platforms` (default: all of {@link RELEASE_TARGETS}) into `outdir`, replacing
 * what was there, and writes `SHA256SUMS`. Throws on an unknown platform before building anything.
 *
 * @example
 * ```ts
 * release("dist/release", ["linux-x64", "linux-arm64"]);
 * ```
 */
export function release(outdir: string, platforms: string[] = Object.keys(RELEASE_TARGETS)): void {
  const unknown = platforms.filter((platform) => !(platform in RELEASE_TARGETS));
  if (unknown.length > 0) throw new Error(`unknown release platform ${unknown.join(", ")}; known: ${Object.keys(RELEASE_TARGETS).join(", ")}`);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const sums = platforms.map((platform) => {
    const file = join(outdir, releaseFileName(platform));
    compileBinary(file, { target: RELEASE_TARGETS[platform], label: platform });
    return `${createHash("sha256").update(readFileSync(file)).digest("hex")}  ${basename(file)}\n`;
  });
  writeFileSync(join(outdir, "SHA256SUMS"), sums.join(""));
}
