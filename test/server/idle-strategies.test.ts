import { describe, expect, it } from "bun:test";
import process from "node:process";
import { IDLE_STRATEGY_NAMES, type IdleStrategySpec } from "../../src/agent/idle-strategy.ts";
import { boot, sleep } from "../helpers.ts";

const specs: IdleStrategySpec[] = IDLE_STRATEGY_NAMES.map((type) => (type === "sleeping" ? { type, sleepNanos: 200_000 } : { type }));

const config = (idleStrategy: IdleStrategySpec) => ({
  eventFeeds: [{ name: "in", type: "memory" as const, broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" as const }],
  eventHandlers: [{ agentName: "consumer", idleStrategy, eventHandlers: { slow: { handler: "./slow.ts", configMap: { delayMicros: 0 } } } }],
});

describe("idle strategies on a worker agent", () => {
  for (const spec of specs) {
    it(`${spec.type} delivers every event of bursty traffic, in order`, async () => {
      const server = await boot(config(spec), { ringCapacity: 4096 });
      try {
        const expected: number[] = [];
        for (let burst = 0; burst < 40; burst++) {
          for (let i = 0; i < 100; i++) {
            expected.push(expected.length);
            server.offer("in", expected.length - 1);
          }
          if (burst % 4 === 0) await sleep(3); // let the consumer go idle between bursts
        }
        const report = await server.stop();
        expect(report.clean).toBe(true);
        expect(server.sink("out").values()).toEqual(expected);
        expect(server.topology().agents[1].idleStrategy).toBe(spec.type);
      } finally {
        await server.stop();
      }
    });
  }

  it("blocking uses almost no CPU while idle", async () => {
    const server = await boot({ ...config({ type: "blocking" }), idleStrategy: "blocking" });
    try {
      server.offer("in", 1);
      await server.sink("out").waitFor(1);
      await sleep(200);
      const cyclesBefore = server.counter("agent_duty_cycles_total", { agent: "consumer" });
      const before = process.cpuUsage();
      await sleep(1000);
      const used = process.cpuUsage(before);
      const cpuMillis = (used.user + used.system) / 1000;
      // A spinning agent runs hundreds of thousands of duty cycles a second; a parked one a handful (watchdog probes).
      expect(server.counter("agent_duty_cycles_total", { agent: "consumer" }) - cyclesBefore).toBeLessThan(100);
      // The whole process over one idle second: a spinning agent would use most of a core; the rest (the test
      // runner's own garbage collection after earlier files, a busy machine) stays well below that.
      expect(cpuMillis).toBeLessThan(300);
      server.offer("in", 2);
      expect(await server.sink("out").waitFor(2)).toEqual([1, 2]);
    } finally {
      await server.stop();
    }
  });
});
