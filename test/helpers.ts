/**
 * Shared helpers for server tests: boot with quiet logs and fixtures resolved from test/fixtures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildPlan } from "../src/config/plan.ts";
import { parseYamlConfig } from "../src/config/yaml-loader.ts";
import { ConfigError, MongooseServer, type ServerOptions } from "../src/mod.ts";
import type { MongooseConfig } from "../src/mod.ts";

/** Directory of the handler fixtures. */
export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** Boots a server for a test: warnings and errors only, handler paths relative to test/fixtures. */
export function boot(config: MongooseConfig, options: ServerOptions = {}): Promise<MongooseServer> {
  return MongooseServer.boot(config, { logLevel: "error", baseDir: FIXTURES, ...options });
}

/** The problems of the ConfigError `action` throws; [] when it throws none. */
export function configProblems(action: () => unknown): string[] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/**
 * The problems a YAML text produces, loading it (as `/srv/app/app.yaml`, with `env` for `${VAR}`) and
 * then planning it; [] when it is valid.
 */
export function yamlProblems(text: string, env: Record<string, string> = {}): string[] {
  return configProblems(() => {
    const loaded = parseYamlConfig(text, "app.yaml", "/srv/app", env);
    buildPlan(loaded.config, { baseDir: loaded.baseDir, locate: loaded.locate });
  });
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic pseudo-random generator (mulberry32, the one behind `ctx.random()`), so failures can be replayed from the seed. */
export { seededRandom } from "../src/core/seeded-random.ts";

/** A temporary directory for a test, removed by `cleanup`. */
export function tempDir(prefix = "mongoose-test-"): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Polls `condition` every 10 ms until it holds, or fails after `timeoutMs` with `description` (a function
 * is called then, so it can say what the state was when the wait gave up).
 */
export async function eventually(condition: () => boolean | Promise<boolean>, description: string | (() => string), timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof description === "string" ? description : description()}`);
    await sleep(10);
  }
}

/** A free TCP port on the loopback interface (the OS picks it; closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
