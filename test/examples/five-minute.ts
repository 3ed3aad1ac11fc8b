/**
 * Runs config/examples/five-minute the way its README does, with whatever `mongoose` command is given
 * (the sources under Bun or Deno, or the compiled binary), in a folder holding only the example's files.
 */
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Finished, runProgram } from "../process.ts";

const EXAMPLE = fileURLToPath(new URL("../../config/examples/five-minute/", import.meta.url));

/** The lines the example forwards from its input files as shipped: prices and news, not orders. */
export const FORWARDED_PRICES = ["prices: AAPL 189.30", "prices: MSFT 415.10", "prices: NVDA 121.44", "prices: AAPL 189.35"];
export const FORWARDED_NEWS = ["news: Fed holds rates steady", "news: Chipmaker beats estimates", "news: Oil slips on supply data"];

/** Copies the configuration, the handler and the input files (not outputs or read pointers) into `folder`. */
export function copyFiveMinute(folder: string): void {
  cpSync(EXAMPLE, folder, { recursive: true, filter: (source) => !source.includes("data-out") && !source.endsWith(".readPointer") });
}

/** The output file's lines so far. */
export function forwardedLines(folder: string): string[] {
  const file = join(folder, "data-out/forwarded.txt");
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((line) => line !== "") : [];
}

/**
 * Runs `mongoose run app.yaml` in `folder` until the output holds `lines` lines, then presses Ctrl-C;
 * `timeoutMs` (default 30 s) bounds the whole run (an emulated CPU needs more).
 */
export function runFiveMinute(mongoose: string[], folder: string, lines: number, timeoutMs?: number): Promise<Finished> {
  return runProgram([...mongoose, "run", join(folder, "app.yaml")], { interruptWhen: () => forwardedLines(folder).length >= lines, timeoutMs });
}

/** Lines of one feed, in the order they were forwarded (feeds interleave freely). */
export const fromFeed = (lines: string[], feed: string) => lines.filter((line) => line.startsWith(`${feed}: `));
