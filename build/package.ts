/**
 * The npm package's contents (`lib/`, built by `npm pack` through `prepack`): JavaScript that Bun and
 * Deno both run from `node_modules` (Deno refuses to strip types there), and type declarations.
 *
 * - `bun build --splitting` keeps the worker entry a separate file next to the library's chunks, so
 *   `src/entry-urls.ts` finds `lib/workers/agent.js` relative to the module, as it finds the `.ts` in the
 *   sources; the modules both import share one chunk, so a class (e.g. `CommandError`) is one class.
 * - `--target node` keeps `node:` builtins as imports: Bun and Deno both provide them.
 * - The package's `dependencies` stay imports, resolved from the user's `node_modules`; text imports (the
 *   dashboard's uPlot, script and style) are inlined, so uPlot is only a build-time dependency.
 * - Declarations come from `tsc --emitDeclarationOnly --noCheck` (`deno check` does the type checking);
 *   their `.ts` import specifiers are rewritten to `.js`, the files they describe.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../package.json" with { type: "json" };
import { bunExecutable, ROOT } from "./bun-executable.ts";

/** The library and every module it starts by URL (`src/entry-urls.ts`) on a worker. */
const PACKAGE_ENTRYPOINTS = ["src/mod.ts", "src/workers/agent.ts"];

function run(args: string[]): void {
  const result = spawnSync(bunExecutable(), args, { stdio: "inherit", cwd: ROOT });
  if (result.status !== 0) throw new Error(`${args.slice(0, 2).join(" ")} failed with status ${result.status}`);
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".d.ts")).map((file) => join(dir, file));
}

/**
 * Writes the package's JavaScript and declarations to `outdir` (replacing it). Throws when a step fails.
 *
 * @example
 * ```ts
 * buildPackage(join(ROOT, "lib")); // lib/mod.js, lib/mod.d.ts, lib/workers/agent.js, …
 * ```
 */
export function buildPackage(outdir: string): void {
  rmSync(outdir, { recursive: true, force: true });
  const external = Object.keys(packageJson.dependencies).flatMap((name) => ["--external", name, "--external", `${name}/*`]);
  run(["build", ...PACKAGE_ENTRYPOINTS, "--splitting", "--root", "src", "--outdir", outdir, "--target", "node", ...external]);
  run([
    join(ROOT, "node_modules/typescript/bin/tsc"), "src/mod.ts", "--declaration", "--emitDeclarationOnly", "--noCheck", "--outDir", outdir, "--rootDir", "src",
    "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "esnext", "--lib", "esnext,dom", "--types", "node",
    "--allowImportingTsExtensions", "--resolveJsonModule", "--strict", "--skipLibCheck",
  ]);
  for (const file of declarationFiles(outdir)) {
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace(/((?:from |import\()["']\.{1,2}\/[^"']*)\.ts(["'])/g, "$1.js$2"));
  }
}
