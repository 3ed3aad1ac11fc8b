/**
 * `npm test`: runs every test file under Bun, then the same files under Deno, and ends with one line
 * `N passed, N failed` summing both runtimes (neither runner prints that line itself). Exits non-zero if
 * anything failed or a runner crashed.
 *
 * Usage: bun test/run-all.ts [extra args passed to both runners, e.g. a file filter]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface Tally {
  passed: number;
  failed: number;
  failedNames: string[];
}

const decode = (text: string) => text.replaceAll("&gt;", ">").replaceAll("&lt;", "<").replaceAll("&quot;", '"').replaceAll("&apos;", "'").replaceAll("&amp;", "&");

/** Counts leaf test cases in a JUnit report (Deno also lists each describe block as a case; skip those). */
function tally(xml: string): Tally {
  const cases = [...xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)].map((match) => ({
    name: decode(/\bname="([^"]*)"/.exec(match[1])?.[1] ?? ""),
    failed: /<(failure|error)\b/.test(match[3] ?? ""),
  }));
  const leaves = cases.filter((c) => !cases.some((other) => other.name.startsWith(c.name + " > ")));
  const failed = leaves.filter((c) => c.failed);
  return { passed: leaves.length - failed.length, failed: failed.length, failedNames: failed.map((c) => c.name) };
}

function run(label: string, command: string, args: string[], report: string): Tally {
  console.error(`\n=== ${label} ===`);
  const result = spawnSync(command, args, { stdio: "inherit" });
  let counted: Tally;
  try {
    counted = tally(readFileSync(report, "utf8"));
  } catch {
    counted = { passed: 0, failed: 0, failedNames: [] };
  }
  if (result.status !== 0 && counted.failed === 0) {
    counted.failed = 1;
    counted.failedNames.push(`${label} exited with ${result.status ?? result.signal} before reporting a failure`);
  }
  return counted;
}

const extra = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), "mongoose-test-"));
const bin = (name: string) => join(process.cwd(), "node_modules", ".bin", name);
const bun = run("bun test", bin("bun"), ["test", "--timeout=60000", "--reporter=junit", `--reporter-outfile=${join(dir, "bun.xml")}`, ...extra], join(dir, "bun.xml"));
// Type-check once up front: under `deno test` every worker spawn would otherwise re-check its module (~1 s each).
const denoCheck = spawnSync(bin("deno"), ["check", "src/", "test/", "bench/", "config/", "build/", "build.ts"], { stdio: "inherit" });
const deno = run("deno test", bin("deno"), ["test", "-P", "--no-check", `--junit-path=${join(dir, "deno.xml")}`, ...extra], join(dir, "deno.xml"));
if (denoCheck.status !== 0) {
  deno.failed++;
  deno.failedNames.push("deno check (type errors above)");
}
rmSync(dir, { recursive: true, force: true });

console.log(`\nbun: ${bun.passed} passed, ${bun.failed} failed; deno: ${deno.passed} passed, ${deno.failed} failed`);
for (const name of [...bun.failedNames.map((n) => `bun: ${n}`), ...deno.failedNames.map((n) => `deno: ${n}`)]) console.log(`  FAILED ${name}`);
console.log(`${bun.passed + deno.passed} passed, ${bun.failed + deno.failed} failed`);
process.exit(bun.failed + deno.failed > 0 ? 1 : 0);
