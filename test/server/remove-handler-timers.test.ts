import { describe, expect, it } from "bun:test";
import { CommandError, type HandlerContext } from "../../src/mod.ts";
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
});
