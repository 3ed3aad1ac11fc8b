import { describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BootError, FeedClosedError, type HandlerContext } from "../../src/mod.ts";
import { boot } from "../helpers.ts";

function tempFile(): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "mongoose-lifecycle-"));
  return { file: join(dir, "calls.log"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const lines = (file: string) => readFileSync(file, "utf8").trim().split("\n");

describe("lifecycle", () => {
  it("runs init → start → startComplete → events → stop → tearDown, forward in order and backward in reverse", async () => {
    const { file, cleanup } = tempFile();
    try {
      const server = await boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{
          agentName: "worker",
          eventHandlers: {
            first: { handler: "./lifecycle-recorder.ts", configMap: { logFile: file } },
            second: { handler: "./lifecycle-recorder.ts", configMap: { logFile: file } },
          },
        }],
      });
      server.offer("in", "a");
      server.offer("in", "b");
      await server.stop();
      expect(lines(file)).toEqual([
        "first init", "second init",
        "first start", "second start",
        "first startComplete", "second startComplete",
        "first onEvent 1", "second onEvent 1", "first onEvent 2", "second onEvent 2",
        "second stop", "first stop",
        "second tearDown", "first tearDown",
      ]);
      // Values sent from stop() still reach the sink: sinks drain after handlers stop.
      expect(server.sink("out").values()).toEqual(["a", "a", "b", "b", "second stopped", "first stopped"]);
    } finally {
      cleanup();
    }
  });

  it("runs in-process handlers' lifecycle on the calling thread in the same order, async steps awaited", async () => {
    const calls: string[] = [];
    class Recorder {
      async init(ctx: HandlerContext) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        calls.push(`init ${ctx.config.tag}`);
      }
      start() { calls.push("start"); }
      startComplete() { calls.push("startComplete"); }
      onEvent(event: unknown) { calls.push(`event ${event}`); }
      stop() { calls.push("stop"); }
      tearDown() { calls.push("tearDown"); }
    }
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventHandlers: [{ agentName: "inline", eventHandlers: { recorder: { handler: Recorder, configMap: { tag: "x" } } } }],
    });
    server.offer("in", 1);
    await server.stop();
    expect(calls).toEqual(["init x", "start", "startComplete", "event 1", "stop", "tearDown"]);
  });

  it("a stop or tearDown that throws makes the stop unclean, naming the handler, agent and phase; the other components still stop", async () => {
    const calls: string[] = [];
    const failingIn = (phase: "stop" | "tearDown") => class {
      onEvent() {}
      stop() {
        calls.push(`stop ${phase}`);
        if (phase === "stop") throw new Error("boom in stop");
      }
      tearDown() {
        calls.push(`tearDown ${phase}`);
        if (phase === "tearDown") throw new TypeError("boom in tearDown");
      }
    };
    const server = await boot({
      eventHandlers: [{ agentName: "a", eventHandlers: { first: { handler: failingIn("stop") }, second: { handler: failingIn("tearDown") } } }],
    }, { logLevel: "silent" });
    const reports: string[] = [];
    server.onError((report) => reports.push(`${report.component} ${report.phase}`));
    const report = await server.stop();
    expect(report.clean).toBe(false);
    expect(report.problems).toEqual([
      `handler "first" on agent "a" failed during stop: Error: boom in stop`,
      `handler "second" on agent "a" failed during tearDown: TypeError: boom in tearDown`,
    ]);
    expect(calls.sort()).toEqual(["stop stop", "stop tearDown", "tearDown stop", "tearDown tearDown"]);
    expect(reports.sort()).toEqual(["first stop", "second tearDown"]);
  });

  it("a graceful stop with events in flight delivers every one of them", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "slow-agent", eventHandlers: { slow: { handler: "./slow.ts", configMap: { delayMicros: 20 } } } }],
    }, { ringCapacity: 4096 });
    const count = 20_000;
    for (let i = 0; i < count; i++) server.offer("in", i);
    const inFlight = server.topology().rings.reduce((sum, ring) => sum + ring.depth, 0);
    expect(inFlight).toBeGreaterThan(0);
    const report = await server.stop();
    expect(report).toMatchObject({ clean: true, problems: [], undeliveredEvents: 0 });
    expect(server.sink("out").values()).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it("stop is idempotent and a stopped feed refuses new events", async () => {
    const server = await boot({ eventFeeds: [{ name: "in", type: "memory" }] });
    const [first, second] = await Promise.all([server.stop(), server.stop()]);
    expect(second).toBe(first);
    expect(await server.stop()).toBe(first);
    expect(() => server.offer("in", 1)).toThrow(FeedClosedError);
  });

  it("a failing start reports the component and cause, and stops and tears down what had started", async () => {
    const { file, cleanup } = tempFile();
    try {
      const attempt = boot({
        eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [
          { agentName: "good-agent", eventHandlers: { good: { handler: "./lifecycle-recorder.ts", configMap: { logFile: file } } } },
          { agentName: "bad-agent", eventHandlers: { bad: { handler: "./lifecycle-recorder.ts", configMap: { logFile: file, failIn: "start" } } } },
        ],
      });
      const error = await attempt.then(() => undefined, (e) => e);
      expect(error).toBeInstanceOf(BootError);
      expect(error.message).toBe(`handler "bad" (./lifecycle-recorder.ts) on agent "bad-agent" failed during start: Error: bad refuses to start`);
      const calls = lines(file);
      for (const expected of ["good init", "bad init", "good start", "bad start", "good stop", "good tearDown", "bad tearDown"]) {
        expect(calls).toContain(expected);
      }
      expect(calls).not.toContain("bad stop");
      expect(calls.some((c) => c.endsWith("startComplete"))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it("a handler module that cannot be loaded fails the boot naming the handler and the file", async () => {
    const missing = boot({
      eventHandlers: [{ agentName: "a", eventHandlers: { ghost: { handler: "./does-not-exist.ts" } } }],
    });
    await expect(missing).rejects.toThrow(/^handler "ghost" \(\.\/does-not-exist\.ts\) on agent "a" failed during load: file not found: .*does-not-exist\.ts/);
    const noExport = boot({
      eventHandlers: [{ agentName: "a", eventHandlers: { wrong: { handler: "./slow.ts#Missing" } } }],
    });
    await expect(noExport).rejects.toThrow(`handler "wrong" (./slow.ts) on agent "a" failed during load: the module has no export "Missing" (its exports: default)`);
    const notHandler = boot({
      eventHandlers: [{ agentName: "a", eventHandlers: { plain: { handler: { notAHandler: true } as never } } }],
    });
    await expect(notHandler).rejects.toThrow(/eventHandlers\[0\]\.eventHandlers\.plain\.handler: expected a module path, a class, a factory function or an object with onEvent/);
  });

  it("a boot step an agent never answers fails the boot, and rolling back gives up on that agent", async () => {
    // Long enough for the steps before init to be answered on a loaded machine; the stuck init lasts 20 s.
    const attempt = boot({ eventHandlers: [{ agentName: "frozen", eventHandlers: { stuck: { handler: "./stuck-init.ts" } } }] }, { requestTimeoutMs: 5_000, logLevel: "silent" });
    await expect(attempt).rejects.toThrow(`agent "frozen" failed during boot: agent "frozen" did not answer "init handlers" within 5000 ms`);
  });
});
