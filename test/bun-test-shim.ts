/**
 * Lets the `bun:test` test files run under `deno test`: deno.json maps `bun:test` here. Tests use only
 * what both provide: describe/it/test, lifecycle hooks, and Jest's `expect` (the npm `expect` package).
 *
 * @module
 */
import * as nodeTest from "node:test";
export { expect } from "expect";
export { after as afterAll, afterEach, before as beforeAll, beforeEach, describe } from "node:test";

type TestBody = () => unknown | Promise<unknown>;

/** `it(name, body, timeoutMs?)` with Bun's argument order, on top of node:test. */
export function it(name: string, body: TestBody, timeoutMs?: number): void {
  nodeTest.it(name, timeoutMs === undefined ? {} : { timeout: timeoutMs }, async () => void (await body()));
}

export { it as test };
