/**
 * Debian's `promtool check metrics` on exposition text, for tests: the exit code and everything it
 * printed (parse errors and lint warnings alike).
 */
import { spawnSync } from "node:child_process";

/** Runs `/usr/bin/promtool check metrics` with `text` on stdin. */
export function promtoolCheck(text: string): { code: number | null; output: string } {
  const result = spawnSync("/usr/bin/promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (result.error) throw result.error;
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}
