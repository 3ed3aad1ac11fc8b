/**
 * What `mongoose --version` prints: the version, the runtime running it and the target it was built for.
 * `build.ts` bakes the target in with `bun build --define MONGOOSE_BUILD_TARGET='"linux-arm64"'`; run from
 * the sources the identifier is undefined and the target reads `source`.
 *
 * @module
 */
import packageJson from "../../package.json" with { type: "json" };
import { runtime } from "../runtime/mod.ts";

declare const MONGOOSE_BUILD_TARGET: string | undefined;

/** The package version, e.g. `0.1.0`. */
export const VERSION: string = packageJson.version;

/** The build target baked in by `build.ts` (`linux-x64`, `windows-x64`, …), else `source`. */
export const BUILD_TARGET: string = typeof MONGOOSE_BUILD_TARGET === "string" ? MONGOOSE_BUILD_TARGET : "source";

/**
 * The `--version` line.
 *
 * @example
 * ```ts
 * versionLine(); // "mongoose 0.1.0 (bun 1.4.5, linux-arm64)"
 * ```
 */
export function versionLine(): string {
  return `mongoose ${VERSION} (${runtime.name} ${runtime.version}, ${BUILD_TARGET})`;
}
