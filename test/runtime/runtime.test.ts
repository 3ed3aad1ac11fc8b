import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { runtime } from "../../src/runtime/mod.ts";
import { sleep } from "../helpers.ts";

const WORKER = new URL("../fixtures/runtime-worker.ts", import.meta.url).href;

describe("runtime adapter", () => {
  it(`is the ${"Bun" in globalThis ? "bun" : "deno"} adapter`, () => {
    expect(runtime.name).toBe("Bun" in globalThis ? "bun" : "deno");
    expect(runtime.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("keeps messages that arrive before a listener is attached", async () => {
    const worker = runtime.spawnWorker(WORKER, "early");
    worker.post({ do: "hello" });
    await sleep(300); // the reply arrives now, with no listener yet
    const reply = await new Promise((resolve) => worker.onMessage(resolve));
    worker.terminate();
    expect(reply).toBe("hello");
  });

  it("reports a worker that fails with an uncaught error", async () => {
    const worker = runtime.spawnWorker(WORKER, "failing");
    const exited = new Promise<string>((resolve) => worker.onExit(resolve));
    worker.post({ do: "throw" });
    expect(await exited).toContain("worker blew up");
    worker.terminate();
  });

  it("pins a worker thread to a CPU through libc, leaving the main thread alone", async () => {
    const libc = await runtime.loadLibc();
    expect(libc).not.toBeNull();
    const mainAffinity = libc!.getAffinity();
    const worker = runtime.spawnWorker(WORKER, "pinned");
    const reply = new Promise<{ result: number; tid: number; affinity: number[] }>((resolve) => worker.onMessage((m) => resolve(m as never)));
    worker.post({ do: "pin", cpu: 0 });
    const { result, tid, affinity } = await reply;
    expect(result).toBe(0);
    expect(affinity).toEqual([0]);
    expect(tid).not.toBe(libc!.gettid());
    expect(readFileSync(`/proc/self/task/${tid}/status`, "utf8")).toMatch(/Cpus_allowed_list:\s+0\n/);
    expect(libc!.getAffinity()).toEqual(mainAffinity);
    worker.terminate();
  });

  it("serves HTTP with the native server", async () => {
    const server = await runtime.serve((request) => new Response(`you asked for ${new URL(request.url).pathname}`), { hostname: "127.0.0.1", port: 0 });
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("you asked for /health");
    } finally {
      await server.close();
    }
  });
});
