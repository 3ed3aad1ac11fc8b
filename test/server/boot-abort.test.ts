import { describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { BootError } from "../../src/mod.ts";
import { boot, eventually, tempDir } from "../helpers.ts";

const stuckInStart = (marker: string) => ({
  eventHandlers: [{ agentName: "starter", eventHandlers: { never: { handler: "./never-starts.ts", configMap: { marker } } } }],
});

/** What `promise` rejected with (fails if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (thrown) {
    return thrown;
  }
  throw new Error("expected a rejection");
}

describe("aborting a boot", () => {
  for (const inline of [false, true]) {
    it(`an abort while ${inline ? "an inline" : "a worker"} agent is stuck in start() rejects with BootError at once, not after requestTimeoutMs`, async () => {
      const folder = tempDir();
      try {
        const aborter = new AbortController();
        // requestTimeoutMs is far beyond the test's own timeout: only the abort can end this boot.
        const booting = boot(stuckInStart(folder.path("started")), { logLevel: "silent", inline, requestTimeoutMs: 600_000, signal: aborter.signal });
        await eventually(() => existsSync(folder.path("started")), "start() to be called", 30_000);
        aborter.abort(new Error("test abort"));
        const error = await rejection(booting);
        expect(error).toBeInstanceOf(BootError);
        expect((error as BootError).message).toBe("server failed during boot: aborted (test abort)");
      } finally {
        folder.cleanup();
      }
    });
  }

  it("a signal aborted before the boot starts nothing and rejects with BootError", async () => {
    const folder = tempDir();
    try {
      const error = await rejection(boot(stuckInStart(folder.path("started")), { logLevel: "silent", signal: AbortSignal.abort(new Error("too late")) }));
      expect((error as BootError).message).toBe("server failed during boot: aborted (too late)");
      expect(existsSync(folder.path("started"))).toBe(false);
    } finally {
      folder.cleanup();
    }
  });
});
