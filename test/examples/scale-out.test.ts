/**
 * config/examples/scale-out: the configuration is valid, and its publisher refuses bad arguments. Running
 * two instances of it against a real nats-server (split, kill -9, broker restart) is
 * test/nats/scale-out.test.ts.
 */
import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { runProgram, runtimeCommand } from "../process.ts";

const EXAMPLE = fileURLToPath(new URL("../../config/examples/scale-out/", import.meta.url));
const mongoose = runtimeCommand(fileURLToPath(new URL("../../src/main.ts", import.meta.url)));

describe("config/examples/scale-out", () => {
  it("app.yaml is valid (mongoose validate exits 0) with and without NATS_URL and INSTANCE set", async () => {
    const environments: Record<string, string>[] = [{}, { NATS_URL: "nats://127.0.0.1:4333", INSTANCE: "b" }];
    for (const env of environments) {
      const { code, stderr } = await runProgram([...mongoose, "validate", `${EXAMPLE}app.yaml`], { env });
      expect(stderr).toBe("");
      expect(code).toBe(0);
    }
  });

  it("publish.ts refuses a count that is not a whole number, before connecting", async () => {
    const { code, stdout, stderr } = await runProgram(runtimeCommand(`${EXAMPLE}publish.ts`, ["--count", "ten", "--url", "nats://127.0.0.1:1"]));
    expect(stderr).toContain("--count and --from must be whole numbers ≥ 0, got --count ten");
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });
});
