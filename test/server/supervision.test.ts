import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import type { ErrorReport, MongooseConfig, MongooseServer, ServerOptions } from "../../src/mod.ts";
import { buildPlan } from "../../src/config/plan.ts";
import { boot, configProblems, eventually, FIXTURES, tempDir } from "../helpers.ts";
import { runtimeCommand, start } from "../process.ts";

let temp = tempDir("mongoose-supervision-");
beforeEach(() => void (temp = tempDir("mongoose-supervision-")));
afterEach(() => temp.cleanup());

type Thread = NonNullable<MongooseConfig["agentThreads"]>[number];

function config(thread: Omit<Thread, "agentName">, configMap: Record<string, unknown> = {}, admin?: MongooseConfig["admin"]): MongooseConfig {
  return {
    admin,
    agentThreads: [{ agentName: "risky", ...thread }],
    eventFeeds: [{ name: "in", type: "memory" }],
    eventSinks: [{ name: "out", type: "memory" }],
    eventHandlers: [{
      agentName: "risky",
      eventHandlers: { crasher: { handler: "./crasher.ts", configMap: { journal: temp.path("journal"), marker: temp.path("marker"), tag: "v1", ...configMap } } },
    }],
  };
}

const options: ServerOptions = { logLevel: "silent", requestTimeoutMs: 20_000 };
const journal = () => readFileSync(temp.path("journal"), "utf8").trim().split("\n");
const risky = (server: MongooseServer) => server.health().agents.find((a) => a.name === "risky")!;
const counts = (values: unknown[]) => values.reduce<Map<unknown, number>>((seen, v) => seen.set(v, (seen.get(v) ?? 0) + 1), new Map());

describe("supervision", () => {
  test("a worker agent that exits is restarted: its handler starts again with its configMap and subscriptions, and no event is lost", async () => {
    const server = await boot(config({ restart: "always", restartBackoffMs: 1_000 }, {}, { port: 0 }), options);
    const probe = async (path: string) => {
      const response = await fetch(`${server.adminUrl}${path}`);
      return { status: response.status, body: await response.json() as { reasons?: string[] } };
    };
    const reports: ErrorReport[] = [];
    server.onError((report) => reports.push(report));
    try {
      for (let id = 1; id <= 50; id++) server.offer("in", id);
      await server.sink("out").waitFor(50);
      // One burst: events before the poison may share its batch (delivered again after the restart),
      // those after it wait in the ring while the agent is down.
      for (let id = 51; id <= 60; id++) server.offer("in", id);
      server.offer("in", "die");
      for (let id = 61; id <= 80; id++) server.offer("in", id);
      await eventually(() => risky(server).state === "restarting" || risky(server).restarts === 1, "the agent restarting", 20_000);
      // Probed while it restarts (the backoff keeps it down for at least a second).
      const whileDown = risky(server).state === "restarting" ? { ready: await probe("health/ready"), live: await probe("health/live"), state: risky(server).state } : undefined;
      for (let id = 81; id <= 100; id++) server.offer("in", id); // offered while it restarts, or just after
      await server.sink("out").waitUntil((values) => new Set(values).size >= 100, 20_000, "100 distinct ids");
      expect(whileDown?.state).toBe("restarting");
      expect(whileDown?.ready.status).toBe(503);
      expect(whileDown?.ready.body.reasons).toContainEqual(expect.stringMatching(/^agent "risky" is restarting: restarting \(attempt 1\) after: worker exited/));
      expect(whileDown?.live.status).toBe(200);
      await eventually(async () => (await probe("health/ready")).status === 200, "ready again");
      const seen = counts(server.sink("out").values());
      for (let id = 1; id <= 100; id++) expect(seen.get(id) ?? 0).toBeGreaterThanOrEqual(1);
      const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id as number);
      expect(duplicated.every((id) => id >= 51 && id <= 60)).toBe(true);
      await eventually(() => risky(server).state === "running", "the agent running again");
      expect(risky(server).restarts).toBe(1);
      expect(server.health().live).toBe(true);
      expect(journal()).toEqual(["init tag=v1", "start", "startComplete", "init tag=v1", "start", "startComplete"]);
      const death = reports.find((r) => r.source === "agent" && r.agent === "risky")!;
      expect(death.message).toMatch(/^agent "risky" died: worker exited.*; restarting \(attempt 1\) in 1000 ms$/);
      console.log(`death detected ${death.time - Number(readFileSync(temp.path("marker"), "utf8"))} ms after process.exit (${"Deno" in globalThis ? "deno" : "bun"})`);
      expect(server.topology().agents.find((a) => a.name === "risky")?.restarts).toBe(1);
    } finally {
      const stopped = await server.stop();
      expect(stopped.clean).toBe(true);
    }
  }, 60_000);

  test("a restarted handler gets its configMap as updated live, and registers its admin commands again", async () => {
    const server = await boot(config({ restart: "always", restartBackoffMs: 0 }), options);
    try {
      expect((await server.updateConfig("crasher", { tag: "v2" })).ok).toBe(true);
      server.offer("in", "die");
      server.offer("in", "after");
      await server.sink("out").waitFor(1, 20_000);
      expect(journal().filter((line) => line.startsWith("init"))).toEqual(["init tag=v1", "init tag=v2"]);
      expect(await server.command("crasher.tag")).toBe("v2"); // registered again by the new instance …
      expect(server.errors().filter((report) => report.phase === "registerCommand")).toEqual([]); // … without clashing with its predecessor's
    } finally {
      await server.stop();
    }
  }, 60_000);

  test("restart: never keeps a dead agent dead: its rings are released and the stop names it", async () => {
    const server = await boot(config({ restart: "never" }), options);
    server.offer("in", "die");
    await eventually(() => risky(server).state === "dead", "the agent dead", 20_000);
    expect(risky(server).restarts).toBeUndefined();
    expect(server.health().live).toBe(false);
    const stopped = await server.stop();
    expect(stopped.clean).toBe(false);
    expect(stopped.problems.join("\n")).toContain(`agent "risky"`);
    expect(journal().filter((line) => line.startsWith("init"))).toHaveLength(1);
  }, 60_000);

  test("a restart still waiting when the server stops is called off: the agent is given up and named", async () => {
    const server = await boot(config({ restart: "always", restartBackoffMs: 60_000 }), options);
    server.offer("in", "die");
    await eventually(() => risky(server).state === "restarting", "the agent waiting to restart", 20_000);
    const stopped = await server.stop();
    expect(stopped.clean).toBe(false);
    expect(risky(server).state).toBe("dead");
    expect(risky(server).reason).toMatch(/^worker exited.*; the server stopped before restart attempt 1$/);
    expect(stopped.problems.join("\n")).toContain(`agent "risky"`);
  }, 60_000);

  /**
   * Boots "risky" with maxRestarts 2, sends it the poison and waits until it is given up; then checks what
   * every give-up after 2 attempts shows: restarts 2 (failed attempts count, as the budget counts them),
   * the reason, reports for attempts 1 and 2 then the give-up, 3 inits, and an unclean stop naming it.
   */
  async function givenUpAfterTwoAttempts(configMap: Record<string, unknown>): Promise<string> {
    const server = await boot(config({ restart: "always", maxRestarts: 2, restartBackoffMs: 10 }, configMap), options);
    const reports: ErrorReport[] = [];
    server.onError((report) => reports.push(report));
    server.offer("in", "die");
    // Three workers boot one after the other: generous, for a loaded machine (Deno type-checks each worker it starts under test).
    const state = () => JSON.stringify({ health: risky(server), rings: server.topology().rings.filter((r) => r.consumer === "risky"), journal: journal(), reports });
    await eventually(() => risky(server).state === "dead", () => `the agent given up; ${state()}`, 120_000);
    const { reason, restarts } = risky(server);
    expect(restarts).toBe(2);
    expect(reason).toMatch(/; not restarted again: 2 restarts within restartWindowMs 60000 \(maxRestarts 2\)$/);
    expect(reports.filter((r) => r.agent === "risky").map((r) => r.message.match(/restarting \(attempt (\d)\)/)?.[1] ?? "gave up")).toEqual(["1", "2", "gave up"]);
    expect(journal().filter((line) => line.startsWith("init"))).toHaveLength(3);
    const stopped = await server.stop();
    expect(stopped.clean).toBe(false);
    expect(stopped.problems.join("\n")).toContain(`agent "risky"`);
    return reason!;
  }

  test("an agent that dies again after maxRestarts restarts within the window is given up", async () => {
    // The poison event is redelivered to each new instance (it was in the batch being handled): it dies every time.
    expect(await givenUpAfterTwoAttempts({ dieEveryTime: true })).toMatch(/^worker exited/);
  }, 180_000);

  test("restart attempts that fail count as restarts, as maxRestarts counts them: given up after 2, restarts is 2", async () => {
    // Each new instance's init throws: neither attempt comes up.
    expect(await givenUpAfterTwoAttempts({ initFailsAfterDeath: true })).toMatch(/^restart attempt 2 failed: .*init refuses: this handler died before/);
  }, 180_000);

  test("restart settings are checked, each problem at its path", () => {
    const plan = (thread: Omit<Thread, "agentName">) => configProblems(() => buildPlan(config(thread), { baseDir: FIXTURES }));
    expect(plan({ restart: "sometimes" as "always" })).toEqual([`agentThreads[0].restart: expected one of always, never, got "sometimes"`]);
    expect(plan({ maxRestarts: 3 })).toEqual(["agentThreads[0].maxRestarts: applies only with restart: always (this agent has restart: never, the default)"]);
    expect(plan({ restart: "never", restartWindowMs: 1000 })).toEqual(["agentThreads[0].restartWindowMs: applies only with restart: always (this agent has restart: never, the default)"]);
    expect(plan({ restart: "always", restartBackoffMs: 500, restartBackoffMaxMs: 100 })).toEqual(["agentThreads[0].restartBackoffMaxMs: must be ≥ restartBackoffMs (500)"]);
    expect(plan({ restart: "always", maxRestarts: 0 })).toEqual(["agentThreads[0].maxRestarts: must be ≥ 1, got 0"]);
    const reader = { ...config({ restart: "always" }), eventFeeds: [{ name: "in", type: "file", filename: "in.jsonl", agentName: "risky" }] } as MongooseConfig;
    expect(configProblems(() => buildPlan(reader, { baseDir: FIXTURES }))).toEqual([]); // a COMMITTED file feed restarts with its agent
    const agent = buildPlan(config({ restart: "always", maxRestarts: 3 }), { baseDir: FIXTURES }).agents.find((a) => a.name === "risky")!;
    expect(agent.restart).toEqual({ maxRestarts: 3, windowMs: 60_000, backoffMs: 100, backoffMaxMs: 10_000 });
  });

  test("mongoose run: a restarted agent shows in /metrics and readiness recovers", async () => {
    const input = temp.path("in.jsonl");
    writeFileSync(input, '"a"\n"b"\n');
    writeFileSync(temp.path("app.yaml"), [
      "agentThreads:",
      "  - { agentName: risky, restart: always, restartBackoffMs: 0 }",
      "eventFeeds:",
      `  - { name: in, type: file, filename: ${input}, readStrategy: EARLIEST, valueMapper: json }`,
      "eventSinks:",
      `  - { name: out, type: file, filename: ${temp.path("out.jsonl")}, valueMapper: json }`,
      "eventHandlers:",
      "  - agentName: risky",
      "    eventHandlers:",
      `      crasher: { handler: ${FIXTURES}crasher.ts, configMap: { journal: ${temp.path("journal")}, marker: ${temp.path("marker")} } }`,
    ].join("\n"));
    const child = start(runtimeCommand("src/main.ts", ["run", temp.path("app.yaml")]));
    let output = "";
    child.onStdout((text) => (output += text));
    child.onStderr((text) => (output += text));
    try {
      await eventually(() => /admin: (http:\/\/\S+)\//.test(output), "the admin address", 30_000);
      const admin = output.match(/admin: (http:\/\/\S+?)\/?\s/)![1];
      const out = () => readFileSync(temp.path("out.jsonl"), "utf8").trim().split("\n").filter(Boolean);
      await eventually(() => { try { return out().length >= 2; } catch { return false; } }, "a and b written", 30_000);
      writeFileSync(input, '"a"\n"b"\n"die"\n"c"\n');
      await eventually(() => { try { return out().includes('"c"'); } catch { return false; } }, "c written after the restart", 30_000);
      await eventually(async () => (await fetch(`${admin}/health/ready`)).status === 200, "ready again", 30_000);
      const metrics = await (await fetch(`${admin}/metrics`)).text();
      expect(metrics).toContain('mongoose_agent_restarts_total{agent="risky"} 1');
      expect(metrics).toMatch(/mongoose_agent_info\{agent="risky",[^}]*state="running"\} 1/);
    } finally {
      child.interrupt();
      await child.exitCode;
    }
  }, 90_000);
});
