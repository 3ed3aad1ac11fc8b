import { describe, expect, it } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MongooseConfig, MongooseServer, ServerOptions } from "../../src/mod.ts";
import { boot, eventually, FIXTURES, tempDir } from "../helpers.ts";
import { runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** A memory feed into a handler held while `gate` exists, on agent "held" with the given idle strategy. */
function gatedConfig(gate: string, admin: Record<string, unknown> = {}): MongooseConfig {
  return {
    eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
    eventSinks: [{ name: "out", type: "memory" }],
    eventHandlers: [{ agentName: "held", idleStrategy: "blocking", eventHandlers: { gated: { handler: "./gated.ts", configMap: { gate } } } }],
    admin: { port: 0, ...admin },
  };
}

async function withServer(config: MongooseConfig, options: ServerOptions, run: (server: MongooseServer, get: (path: string) => Promise<{ status: number; body: any }>) => Promise<void>): Promise<void> {
  const server = await boot(config, options);
  const get = async (path: string) => {
    const response = await fetch(`${server.adminUrl}${path}`);
    return { status: response.status, body: await response.json() };
  };
  try {
    await run(server, get);
  } finally {
    await server.stop();
  }
}

describe("GET /health/ready", () => {
  it("answers 503 naming the ring while it is backed up over maxBacklog, 200 once it drained, and nothing is lost", async () => {
    const temp = tempDir("mongoose-ready-");
    const gate = temp.path("gate");
    writeFileSync(gate, "");
    try {
      await withServer(gatedConfig(gate, { readiness: { maxBacklog: 10 } }), { unresponsiveAfterMs: 600_000 }, async (server, get) => {
        await eventually(async () => (await get("health/ready")).status === 200, "ready before the burst");
        for (let i = 0; i < 50; i++) server.offer("in", i);
        let answer = await get("health/ready");
        await eventually(async () => (answer = await get("health/ready")).status === 503, "not ready while the ring is backed up");
        expect(answer.body.ready).toBe(false);
        expect(answer.body.reasons.join("\n")).toMatch(/feed ring "in" from "supervisor" to "held" is backed up: \d+ events .*over admin.readiness.maxBacklog \(10 events\)/);
        expect((await get("health/live")).status).toBe(200); // busy is not dead
        rmSync(gate);
        await eventually(async () => (answer = await get("health/ready")).status === 200, "ready once the ring drained");
        expect(answer.body).toEqual({ ready: true });
        expect(await server.sink("out").waitFor(50)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      });
    } finally {
      temp.cleanup();
    }
  });

  it("answers 503 naming a file feed waiting for its file, and 200 once the file appears", async () => {
    const temp = tempDir("mongoose-ready-file-");
    const file = temp.path("trades.jsonl");
    try {
      const config: MongooseConfig = {
        eventFeeds: [{ name: "trades", type: "file", filename: file, readStrategy: "EARLIEST", broadcast: true, agentName: "reader" }],
        eventSinks: [{ name: "out", type: "memory" }],
        eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
        admin: { port: 0 },
      };
      await withServer(config, {}, async (server, get) => {
        let answer = await get("health/ready");
        await eventually(async () => (answer = await get("health/ready")).status === 503 && answer.body.reasons.some((r: string) => r.includes("trades")), "the feed named");
        expect(answer.body.reasons).toContain(`feed "trades" on agent "reader" is not connected: waiting for ${file}`);
        writeFileSync(file, "first\n");
        await eventually(async () => (await get("health/ready")).status === 200, "ready once the file exists");
        expect(await server.sink("out").waitFor(1)).toEqual(["first"]);
      });
    } finally {
      temp.cleanup();
    }
  });

  it("rejects a malformed maxBacklog, naming the key", async () => {
    for (const maxBacklog of [0, "0%", "150%", "half", 1.5]) {
      const attempt = boot({ admin: { port: 0, readiness: { maxBacklog } } } as MongooseConfig, { logLevel: "silent" });
      await expect(attempt).rejects.toThrow("admin.readiness.maxBacklog");
    }
  });
});

describe("GET /health/live", () => {
  it("stays 200 for a blocking-idle agent parked for many times unresponsiveAfterMs", async () => {
    const temp = tempDir("mongoose-live-");
    try {
      // A probed agent beats after its next park, up to maxParkMs later: keep that well under the limit.
      await withServer(gatedConfig(temp.path("no-gate")), { unresponsiveAfterMs: 200, maxParkMs: 20 }, async (server, get) => {
        const cycles = () => server.counter("agent_duty_cycles_total", { agent: "held" });
        const first = cycles();
        const since = performance.now();
        // Each watchdog probe (at most one per 100 ms of quiet) wakes the parked agent for a few duty cycles:
        // every answer along the way is 200, through 10 × unresponsiveAfterMs and 20 probe-driven cycles.
        await eventually(async () => {
          const live = await get("health/live");
          expect(live.status).toBe(200);
          return cycles() >= first + 20 && performance.now() - since > 10 * 200;
        }, "ten times unresponsiveAfterMs of parking, probed", 60_000);
        const live = await get("health/live");
        expect(live.body.live).toBe(true);
        expect(live.body.agents.map((a: { name: string; state: string }) => [a.name, a.state])).toContainEqual(["held", "running"]);
      });
    } finally {
      temp.cleanup();
    }
  });

  it("answers 503 naming an agent stuck in a handler, and 200 again once it moves", async () => {
    const temp = tempDir("mongoose-stuck-");
    const gate = temp.path("gate");
    writeFileSync(gate, "");
    try {
      await withServer(gatedConfig(gate), { unresponsiveAfterMs: 300 }, async (server, get) => {
        expect((await get("health/live")).status).toBe(200);
        server.offer("in", "stuck");
        let answer = await get("health/live");
        await eventually(async () => (answer = await get("health/live")).status === 503, "the stuck agent reported", 30_000);
        expect(answer.body.live).toBe(false);
        expect(answer.body.reasons).toEqual([expect.stringMatching(/^agent "held" is unresponsive: no heartbeat for \d+ ms/)]);
        expect((await get("health/ready")).status).toBe(503);
        rmSync(gate);
        await eventually(async () => (await get("health/live")).status === 200, "live again", 30_000);
        expect(await server.sink("out").waitFor(1)).toEqual(["stuck"]);
      });
    } finally {
      temp.cleanup();
    }
  });
});

describe("health while booting", () => {
  it("answers 503 on both probes and /metrics until the boot completes, then 200", async () => {
    const temp = tempDir("mongoose-booting-");
    const bootGate = temp.path("boot-gate");
    writeFileSync(bootGate, "");
    writeFileSync(temp.path("app.yaml"), [
      "admin: {port: 0}",
      "eventFeeds: [{name: in, type: memory, broadcast: true}]",
      "eventSinks: [{name: out, type: memory}]",
      "eventHandlers:",
      "  - agentName: held",
      "    eventHandlers:",
      `      gated: {handler: ${FIXTURES}gated.ts, configMap: {gate: ${temp.path("no-gate")}, bootGate: ${bootGate}}}`,
      "",
    ].join("\n"));
    const child = start(runtimeCommand(MAIN, ["run", temp.path("app.yaml")]));
    let stderr = "";
    child.onStdout(() => {});
    child.onStderr((text) => (stderr += text));
    try {
      await eventually(() => /admin: http/.test(stderr), "the admin address logged", 30_000);
      const url = /admin: (http:\/\/\S+)/.exec(stderr)![1];
      for (const probe of ["health/live", "health/ready", "metrics"]) {
        const response = await fetch(`${url}${probe}`);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ status: "booting", reasons: ["the server is still booting"] });
      }
      rmSync(bootGate);
      await eventually(async () => (await fetch(`${url}health/ready`)).status === 200, "ready after the boot", 30_000);
      expect((await fetch(`${url}health/live`)).status).toBe(200);
    } finally {
      child.interrupt();
      await child.exitCode;
      temp.cleanup();
    }
  });
});
