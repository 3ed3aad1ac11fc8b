/**
 * The Deno-native metadata (deno.json `name`, `version`, `exports`, `publish`) that JSR needs. The
 * registry is out of reach here; `deno publish --dry-run` runs every check offline. Slow types are
 * allowed: the configuration types are inferred from the valibot schema (src/config/schema.ts).
 */
import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runProgram } from "../process.ts";
import { DENO } from "./runtimes.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const json = (file: string) => JSON.parse(readFileSync(ROOT + file, "utf8"));

describe("the JSR package (deno.json)", () => {
  it("names the package, its version (the same as package.json's) and the library's entry", () => {
    expect(json("deno.json")).toMatchObject({ name: "@mongoose/server", version: json("package.json").version, exports: "./src/mod.ts" });
  });

  it("passes deno publish --dry-run with the sources, the worker entries and no tests", async () => {
    const { code, stdout, stderr } = await runProgram([DENO, "publish", "--dry-run", "--allow-dirty", "--allow-slow-types"], { cwd: ROOT, timeoutMs: 240_000, env: { NO_COLOR: "1" } });
    const output = stdout + stderr;
    expect(output).toContain(`Simulating publish of @mongoose/server@${json("package.json").version}`);
    expect(output).toContain("src/mod.ts");
    expect(output).toContain("src/workers/agent.ts");
    expect(output).not.toContain("/test/");
    expect(output).toContain("Success Dry run complete");
    expect(code).toBe(0);
  }, 240_000);
});
