/**
 * The Bun and Deno executables, whichever runtime runs the tests: the running one, else the project's own.
 */
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A Bun executable. */
export const BUN: string = "Bun" in globalThis ? process.execPath : join(ROOT, "node_modules/.bin/bun");

/** A Deno executable. */
export const DENO: string = "Deno" in globalThis ? process.execPath : join(ROOT, "node_modules/.bin/deno");
