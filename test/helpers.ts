/**
 * Shared helpers for server tests: boot with quiet logs and fixtures resolved from test/fixtures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic pseudo-random generator (mulberry32), so failures can be replayed from the seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A temporary directory for a test, removed by `cleanup`. */
export function tempDir(prefix = "mongoose-test-"): { dir: string; path(name: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `condition` every 10 ms until it holds, or fails after `timeoutMs` with `description`. */
export async function eventually(condition: () => boolean | Promise<boolean>, description: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(10);
  }
}
