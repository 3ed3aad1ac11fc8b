import { describe, expect, it } from "bun:test";
import { CommandError, type HandlerContext, type MongooseServer } from "../../src/mod.ts";
import { boot, eventually } from "../helpers.ts";

/** Ticks through its scheduler, emits to itself and owns an admin command: everything removal must end. */
class Busy {
  static ticks = 0;
  static emitted = 0;
  private ctx!: HandlerContext;
  start(ctx: HandlerContext) {
    this.ctx = ctx;
    ctx.scheduler.every(5, () => {
      Busy.ticks++;
      ctx.emit(Busy.ticks);
    });
    ctx.registerCommand("busy.ping", () => "pong");
  }
  onEvent(_event: unknown) {
    Busy.emitted++;
  }
}

describe("removing a handler at runtime", () => {
  it("cancels its timers, drops its queued emits and unregisters its commands; a handler added later with its name starts afresh", async () => {
    const server = await boot({ eventFeeds: [{ name: "in", type: "memory" }] }, { inline: true, logLevel: "silent" });
    try {
      await server.addHandler({ agentName: "a", name: "busy", handler: Busy });
      await eventually(() => Busy.ticks > 5 && Busy.emitted > 5, "ticks and emitted events");
      expect(await server.command("busy.ping")).toBe("pong");
      await server.removeHandler("a/busy");
      const ticks = Busy.ticks;
      const emitted = Busy.emitted;
      await new Promise((resolve) => setTimeout(resolve, 100)); // twenty periods: none may fire
      expect(Busy.ticks).toBe(ticks);
      expect(Busy.emitted).toBe(emitted);
      await expect(server.command("busy.ping")).rejects.toThrow(CommandError);

      await server.addHandler({ agentName: "a", name: "busy", handler: Busy });
      await eventually(() => Busy.ticks > ticks + 3, "the new handler's own ticks");
      expect(await server.command("busy.ping")).toBe("pong");
    } finally {
      expect((await server.stop()).clean).toBe(true);
    }
  });

  it("on an agent with several handlers (a worker), cancels only the removed one's timers and blames a throwing timer on its own handler", async () => {
    const server = await boot({
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "pair", eventHandlers: { first: ticker(), second: ticker({ throwAt: 3 }), third: ticker() } }],
    });
    try {
      await expectTimerErrorOf(server, "second", ["first", "third"]);
      await expectOnlyItsTimersEnd(server, "pair/second", ["first", "third"]);
      await expectOnlyItsTimersEnd(server, "pair/first", ["third"]);
    } finally {
      expect((await server.stop()).clean).toBe(true);
    }
  });

  it("does the same for a handler added at runtime next to one from the configuration", async () => {
    const server = await boot({
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "pair", eventHandlers: { first: ticker() } }],
    });
    try {
      await server.addHandler({ agentName: "pair", name: "late", handler: "./periodic-ticker.ts", configMap: { everyMs: 5, throwAt: 3 } });
      await expectTimerErrorOf(server, "late", ["first"]);
      await expectOnlyItsTimersEnd(server, "pair/late", ["first"]);
    } finally {
      expect((await server.stop()).clean).toBe(true);
    }
  });
});

type Tick = { handler: string; n?: number; stopped?: true };

/** A periodic-ticker.ts handler; all tick at the same period, so they fire in the same duty cycles. */
const ticker = (configMap: Record<string, unknown> = {}) => ({ handler: "./periodic-ticker.ts", configMap: { everyMs: 5, ...configMap } });

/** The timer callback of `culprit` threw once: the report, and the error counter, name it and no other handler. */
async function expectTimerErrorOf(server: MongooseServer, culprit: string, others: string[]): Promise<void> {
  await eventually(() => server.errors().length > 0, "the report of the throwing timer", 20_000);
  expect(server.errors().map((e) => [e.agent, e.component, e.phase, e.message])).toEqual([["pair", culprit, "scheduler callback", `Error: tick 3 of ${culprit} failed`]]);
  expect(server.counter("handler_errors_total", { handler: culprit })).toBe(1);
  for (const other of others) expect(server.counter("handler_errors_total", { handler: other })).toBe(0);
}

/**
 * Removes `path`; its stop writes a marker to "out" after its timers were to end. Ordering, not timing:
 * once each of `others` (same agent, same period) ticked twenty times after the marker, the removed
 * handler ticked not once there.
 */
async function expectOnlyItsTimersEnd(server: MongooseServer, path: string, others: string[]): Promise<void> {
  const removed = path.split("/")[1];
  await server.removeHandler(path);
  const out = server.sink<Tick>("out");
  const afterStop = (values: readonly Tick[]) => values.slice(values.findIndex((v) => v.handler === removed && v.stopped) + 1);
  const ticksOf = (values: readonly Tick[], handler: string) => values.filter((v) => v.handler === handler && v.n !== undefined).length;
  await out.waitUntil((values) => values.some((v) => v.handler === removed && v.stopped), 20_000, `the stop marker of ${removed}`);
  await out.waitUntil((values) => others.every((other) => ticksOf(afterStop(values), other) >= 20), 20_000, `twenty ticks of ${others.join(", ")} after ${removed} stopped`);
  expect(ticksOf(afterStop(out.values()), removed)).toBe(0);
}
