import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand, start } from "../process.ts";

const example = fileURLToPath(new URL("../../config/examples/config-injection/", import.meta.url));
const main = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir("mongoose-config-injection-");
  cpSync(example, temp.dir, { recursive: true });
});
afterEach(() => temp.cleanup());

const greetings = () => existsSync(temp.path("data-out/greetings.txt")) ? readFileSync(temp.path("data-out/greetings.txt"), "utf8").split("\n").filter(Boolean) : [];
const editYaml = (from: string, to: string) => {
  const yaml = readFileSync(temp.path("app.yaml"), "utf8");
  expect(yaml).toContain(from);
  writeFileSync(temp.path("app.yaml"), yaml.replace(from, to));
};

describe("config/examples/config-injection", () => {
  it("changes the greeting live on SIGHUP, logs a non-configMap change as needing a restart, and rejects a reload without the required key", async () => {
    const child = start(runtimeCommand(main, ["run", temp.path("app.yaml")]));
    let stderr = "";
    child.onStdout(() => {});
    child.onStderr((text) => (stderr += text));
    let exited = false;
    void child.exitCode.then(() => (exited = true));
    try {
      await eventually(() => stderr.includes("server running"), "the server to run", 30_000);
      await eventually(() => greetings().length >= 2, "the first greetings", 30_000);
      expect(greetings()[0]).toBe("hello #1");

      editYaml("greeting: hello", "greeting: bonjour");
      child.interrupt("SIGHUP");
      await eventually(() => greetings().some((line) => line.startsWith("bonjour")), "a greeting in the new language", 30_000);
      expect(stderr).toContain("config applied");
      expect(stderr).toContain("greeter-agent/greeter");

      editYaml("idleStrategy: blocking", "idleStrategy: backoff");
      child.interrupt("SIGHUP");
      await eventually(() => stderr.includes("needs a restart"), "the restart notice", 30_000);
      expect(stderr).toMatch(/needs a restart.*agents\.greeter-agent\.idle\.type/);

      editYaml("greeting: bonjour", "salutation: bonjour");
      child.interrupt("SIGHUP");
      await eventually(() => stderr.includes("config rejected"), "the rejection", 30_000);
      expect(stderr).toContain('required config key \\"greeting\\" is missing from its configMap');
      // Still running, still in French: the old config stayed.
      const seen = greetings().length;
      await eventually(() => greetings().length > seen + 2, "more greetings", 30_000);
      expect(greetings().at(-1)).toMatch(/^bonjour #\d+$/);

      child.interrupt("SIGINT");
      expect(await child.exitCode).toBe(0);
      // Beats are numbered in order with none lost around the reloads.
      const counts = greetings().map((line) => Number(line.split("#")[1]));
      expect(counts).toEqual(counts.map((_, i) => i + 1));
    } finally {
      if (!exited) child.kill();
    }
  });

  it("fails the boot with exit 1 naming the handler and the missing key, before any event", async () => {
    editYaml("greeting: hello", "salutation: hello");
    const { code, stderr } = await runProgram(runtimeCommand(main, ["run", temp.path("app.yaml")]), { timeoutMs: 60_000 });
    expect(code).toBe(1);
    expect(stderr).toContain('handler "greeter": required config key "greeting" is missing from its configMap');
    expect(greetings()).toEqual([]);
  });
});
