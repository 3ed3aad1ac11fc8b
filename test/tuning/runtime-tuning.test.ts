import { describe, expect, it } from "bun:test";
import { appendFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { CommandError, type MongooseConfig, type MongooseServer } from "../../src/mod.ts";
import { samples, scrape, value } from "../admin/scrape.ts";
import { boot, eventually, sleep, tempDir } from "../helpers.ts";

/** A memory feed into one worker agent's forwarding handler, with the admin server on a free port. */
const config = (agent: Record<string, unknown> = {}): MongooseConfig => ({
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "worker", ...agent, eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
  admin: { port: 0 },
});

const dutyCycles = (server: MongooseServer, agent = "worker") => server.counter("agent_duty_cycles_total", { agent });
const cpuSeconds = (server: MongooseServer, agent = "worker") => server.counter("agent_cpu_seconds_total", { agent });

/** Resolves once, over some `windowMs`, `reading` grew by less than `most` (what a parked agent's counters do). */
async function nearlyStill(reading: () => number, most: number, description: string, windowMs = 600): Promise<void> {
  await eventually(async () => {
    const before = reading();
    await sleep(windowMs);
    return reading() - before < most;
  }, description);
}

/**
 * Resolves once `agent` has started `cycles` more duty cycles than when called: whatever a cycle would
 * do with input that arrived before the call, it had the chance to (a busy-spinning agent cycles on its own).
 */
async function cyclesPass(server: MongooseServer, cycles = 20, agent = "worker"): Promise<void> {
  const from = dutyCycles(server, agent);
  await eventually(() => dutyCycles(server, agent) >= from + cycles, `${cycles} duty cycles of agent "${agent}"`);
}

/** Rejects with a CommandError of `kind` whose message matches `message`. */
async function failsWith(attempt: Promise<unknown>, kind: string, message: RegExp): Promise<void> {
  const error = await attempt.then(() => undefined, (thrown) => thrown);
  expect(error).toBeInstanceOf(CommandError);
  expect((error as CommandError).kind).toBe(kind);
  expect((error as CommandError).message).toMatch(message);
}

/** POSTs an admin command over HTTP; resolves with the status and the body. */
async function post(server: MongooseServer, name: string, args: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.adminUrl}api/commands/${name}`, { method: "POST", body: JSON.stringify(args) });
  return { status: response.status, body: await response.json() };
}

describe("runtime tuning", () => {
  it("switches an agent's idle strategy: busySpin spins, blocking parks (its thread's CPU time stops growing), visible in topology and metrics", async () => {
    const server = await boot(config({ idleStrategy: "busySpin" }));
    try {
      const worker = () => server.topology().agents.find((a) => a.name === "worker")!;
      expect(worker()).toMatchObject({ idleStrategy: "busySpin", batchSize: 256 });
      expect(worker().tuned).toBeUndefined();
      // Spinning: idle duty cycles pile up by the thousand, and the thread burns CPU (Linux reports it per thread).
      await cyclesPass(server, 20_000);
      const linux = process.platform === "linux";
      if (linux) await eventually(() => cpuSeconds(server) > 0.2, "the spinning agent's thread to use CPU");

      const { status, body } = await post(server, "agent.idleStrategy", ["worker", "blocking"]);
      expect(status).toBe(200);
      expect(body.result).toEqual({ tuned: { agents: { worker: { idleStrategy: { type: "blocking" } } } } });
      expect(worker()).toMatchObject({ idleStrategy: "blocking", idle: { type: "blocking" }, tuned: ["idleStrategy"] });
      // Parked: only the watchdog's probes wake it, so its duty cycles and its CPU time all but stop.
      await nearlyStill(() => dutyCycles(server), 50, "the blocking agent to stop cycling");
      if (linux) await nearlyStill(() => cpuSeconds(server), 0.05, "the blocking agent's thread to stop using CPU");
      const lines = await scrape(server.adminUrl!);
      expect(value(lines, "mongoose_agent_info", { agent: "worker" })).toBe(1);
      expect(samples(lines, "mongoose_agent_info", { agent: "worker" })[0].labels.idle_strategy).toBe("blocking");
      expect(value(lines, "mongoose_agent_tuned", { agent: "worker", setting: "idleStrategy" })).toBe(1);
      expect(value(lines, "mongoose_agent_tuned", { agent: "worker", setting: "batchSize" })).toBe(0);
      // A parked agent still wakes for input.
      server.offer("in", "after switch");
      await server.sink("out").waitFor(1);

      // A JSON spec with parameters; switching back to the configured one is no longer "tuned".
      await server.command("agent.idleStrategy", ["worker", '{"type":"sleeping","sleepNanos":200000}']);
      expect(worker()).toMatchObject({ idleStrategy: "sleeping", idle: { type: "sleeping", sleepNanos: 200_000 } });
      await server.setIdleStrategy("worker", "busySpin");
      expect(worker().tuned).toBeUndefined();
      expect(server.tuning()).toEqual({});
      await cyclesPass(server, 20_000);
      if (linux) {
        const parked = cpuSeconds(server);
        await eventually(() => cpuSeconds(server) > parked + 0.2, "the spinning agent's thread to use CPU again");
      }
    } finally {
      await server.stop();
    }
  });

  it("changes an agent's batch size: mongoose_consumer_batch_size shows no poll larger than the new size", async () => {
    const server = await boot(config());
    const out = server.sink("out");
    const ring = { feed: "in", agent: "worker" };
    /** Polls that took more than `size` events so far, and polls in all. */
    const polls = async (size: number) => {
      const lines = await scrape(server.adminUrl!);
      const all = value(lines, "mongoose_consumer_batch_size_count", ring);
      return { all, larger: all - value(lines, "mongoose_consumer_batch_size_bucket", { ...ring, le: String(size) }) };
    };
    /** Offers `n` events while the handler is held, so the agent finds them all waiting when it resumes. */
    const burst = async (n: number) => {
      await server.pauseHandler("worker/fwd", "hold");
      const from = out.values().length;
      for (let i = 0; i < n; i++) server.offer("in", i);
      await server.resumeHandler("worker/fwd");
      await out.waitFor(from + n);
    };
    try {
      await burst(1000);
      expect((await polls(4)).larger).toBeGreaterThan(0); // the configured 256 takes the backlog in big bites

      expect(await server.command("agent.batchSize", ["worker", "4"])).toEqual({ tuned: { agents: { worker: { batchSize: 4 } } } });
      expect(server.topology().agents.find((a) => a.name === "worker")).toMatchObject({ batchSize: 4, tuned: ["batchSize"] });
      expect(value(await scrape(server.adminUrl!), "mongoose_agent_batch_size", { agent: "worker" })).toBe(4);
      const before = await polls(4);
      await burst(1000);
      const after = await polls(4);
      expect(after.larger).toBe(before.larger);
      expect(after.all - before.all).toBeGreaterThanOrEqual(250);

      await failsWith(server.command("agent.batchSize", ["worker", "0"]), "bad-arguments", /batch size must be a whole number from 1/);
      await failsWith(server.command("agent.batchSize", ["worker", "lots"]), "bad-arguments", /got NaN/);
      await failsWith(server.command("agent.batchSize", ["nobody", "8"]), "bad-arguments", /agent "nobody": no such agent \(agents: worker\)/);
      await failsWith(server.command("agent.batchSize", ["supervisor", "8"]), "bad-arguments", /supervisor's own agent/);
    } finally {
      await server.stop();
    }
  });

  it("changes a subscription's onFull: drops are counted under the new policy, and reset brings back block", async () => {
    const server = await boot({ ...config(), eventFeeds: [{ name: "in", type: "memory", broadcast: true, ringCapacity: 1024 }] });
    const out = server.sink("out");
    const ring = () => server.topology().rings.find((r) => r.name === "in" && r.consumer === "worker")!;
    try {
      expect(ring().onFull).toBe("block");
      await server.command("subscription.onFull", ["in", "worker", "dropNewest"]);
      expect(ring()).toMatchObject({ onFull: "dropNewest", tuned: true });
      // Held, the ring fills: what does not fit is dropped at once instead of blocking the offer.
      await server.pauseHandler("worker/fwd");
      for (let i = 0; i < 200; i++) server.offer("in", `n${i}`);
      expect(ring().droppedNewest).toBeGreaterThan(0);
      const kept = 200 - ring().droppedNewest;
      await server.resumeHandler("worker/fwd");
      await out.waitFor(kept);
      expect(out.values().slice(0, 3)).toEqual(["n0", "n1", "n2"]); // the oldest stayed

      // dropOldest changes how the consumer reads the ring too: the newest events survive.
      await server.setOnFull("in", "worker", "dropOldest");
      await server.pauseHandler("worker/fwd");
      for (let i = 0; i < 200; i++) server.offer("in", `o${i}`);
      expect(ring().droppedOldest).toBeGreaterThan(0);
      await server.resumeHandler("worker/fwd");
      await out.waitUntil((values) => values.at(-1) === "o199");
      expect(out.values()).not.toContain("o0");
      const lines = await scrape(server.adminUrl!);
      expect(value(lines, "mongoose_queue_dropped_total", { feed: "in", agent: "worker", reason: "dropOldest" })).toBe(ring().droppedOldest);

      const { reverted } = await server.command("tuning.reset") as { reverted: unknown };
      expect(reverted).toEqual({ subscriptions: { in: { worker: "dropOldest" } } });
      expect(ring().onFull).toBe("block");
      expect(ring().tuned).toBeUndefined();
      server.offer("in", "after reset");
      await out.waitUntil((values) => values.at(-1) === "after reset");

      await failsWith(server.command("subscription.onFull", ["in", "worker", "sometimes"]), "bad-arguments", /policy must be one of block, dropNewest, dropOldest, disconnect, got "sometimes"/);
      await failsWith(server.command("subscription.onFull", ["nope", "worker", "block"]), "bad-arguments", /no feed "nope"/);
      await failsWith(server.command("subscription.onFull", ["in", "elsewhere", "block"]), "bad-arguments", /agent "elsewhere" does not subscribe to feed "in" \(subscribers: worker\)/);
    } finally {
      await server.stop();
    }
  });

  it("pauses a file feed: nothing is published while paused, and it resumes where it left off", async () => {
    const folder = tempDir("mongoose-tuning-feed-");
    writeFileSync(folder.path("in.txt"), "a\nb\n");
    const server = await boot({
      eventFeeds: [{ name: "lines", type: "file", filename: folder.path("in.txt"), readStrategy: "EARLIEST", broadcast: true, agentName: "reader", idleStrategy: "busySpin" }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
    });
    const out = server.sink("out");
    const published = () => server.counter("feed_published_total", { feed: "lines" });
    try {
      await out.waitFor(2);
      expect(await server.command("feed.pause", ["lines"])).toEqual({ tuned: { feeds: { lines: { paused: true } } } });
      expect(server.topology().feeds.find((f) => f.name === "lines")?.paused).toBe(true);
      appendFileSync(folder.path("in.txt"), "c\nd\n");
      // The reader agent spins on (a running file feed looks at its file every 10 ms) but publishes nothing.
      await cyclesPass(server, 200_000, "reader");
      expect(published()).toBe(2);
      expect(out.values()).toEqual(["a", "b"]);
      await server.command("feed.resume", ["lines"]);
      expect(server.topology().feeds.find((f) => f.name === "lines")?.paused).toBeUndefined();
      expect(await out.waitFor(4)).toEqual(["a", "b", "c", "d"]);

      await failsWith(server.command("feed.pause", ["ghost"]), "bad-arguments", /no feed "ghost" \(feeds: lines\)/);
    } finally {
      await server.stop();
      folder.cleanup();
    }
  });

  it("releases a held handler when the server stops: the drain delivers what it held", async () => {
    const server = await boot(config());
    await server.pauseHandler("worker/fwd", "hold");
    for (let i = 1; i <= 3; i++) server.offer("in", i);
    const report = await server.stop();
    expect(report.clean).toBe(true);
    expect(server.sink("out").values()).toEqual([1, 2, 3]);
  });

  it("removing a held handler releases the feed for the handlers that stay, and leaves the tuning", async () => {
    const server = await boot({
      ...config(),
      eventSinks: [{ name: "out", type: "memory" }, { name: "kept", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { fwd: { handler: "./forwarder.ts" }, stays: { handler: "./forwarder.ts", configMap: { sink: "kept" } } } }],
    });
    try {
      await server.pauseHandler("worker/fwd", "hold");
      server.offer("in", 1);
      await server.removeHandler("worker/fwd");
      server.offer("in", 2);
      expect(await server.sink("kept").waitFor(2)).toEqual([1, 2]);
      expect(server.tuning()).toEqual({});
      expect(await server.command("tuning.reset")).toEqual({ reverted: {}, tuned: {} });
    } finally {
      await server.stop();
    }
  });

  it("tunes the agents of an inline server (on the supervisor's thread) the same way", async () => {
    const server = await boot(config(), { inline: true });
    const out = server.sink("out");
    try {
      await server.setIdleStrategy("worker", "yielding");
      await server.setBatchSize("worker", 2);
      expect(server.topology().agents.find((a) => a.name === "worker")).toMatchObject({ mode: "inline", idleStrategy: "yielding", batchSize: 2 });
      await server.pauseHandler("worker/fwd");
      for (let i = 1; i <= 5; i++) server.offer("in", i);
      expect(server.topology().rings.find((r) => r.name === "in" && r.consumer === "worker")!.depth).toBe(5);
      await server.resumeHandler("worker/fwd");
      expect(await out.waitFor(5)).toEqual([1, 2, 3, 4, 5]);
      expect(server.topology().rings.find((r) => r.name === "in" && r.consumer === "worker")!.batchSizes.slice(2).every((polls) => polls === 0)).toBe(true);
      await server.resetTuning();
      expect(server.tuning()).toEqual({});
    } finally {
      await server.stop();
    }
  });

  it("refuses to pause a feed no duty cycle reads", async () => {
    const server = await boot(config());
    try {
      await failsWith(server.command("feed.pause", ["in"]), "bad-arguments", /feed "in" cannot be paused: it is a memory feed/);
    } finally {
      await server.stop();
    }
  });

  it("pauses a handler under hold (its ring waits, nothing lost) and drop (counted), shown in topology and metrics", async () => {
    const server = await boot(config({ idleStrategy: "busySpin" }));
    const out = server.sink("out");
    const handler = () => server.topology().agents.find((a) => a.name === "worker")!.handlers[0];
    const ring = () => server.topology().rings.find((r) => r.name === "in" && r.consumer === "worker")!;
    try {
      // hold (the default): the agent leaves the ring alone.
      await server.command("handler.pause", ["worker/fwd"]);
      expect(handler().paused).toBe("hold");
      expect(value(await scrape(server.adminUrl!), "mongoose_component_paused", { kind: "handler", component: "fwd", agent: "worker" })).toBe(1);
      for (let i = 1; i <= 5; i++) server.offer("in", i);
      await cyclesPass(server, 10_000);
      expect(ring().depth).toBe(5);
      expect(out.values()).toEqual([]);
      await server.command("handler.resume", ["worker/fwd"]);
      expect(await out.waitFor(5)).toEqual([1, 2, 3, 4, 5]);
      expect(handler().paused).toBeUndefined();

      // drop: the ring flows, the events are counted and go nowhere.
      await server.command("handler.pause", ["fwd", "drop"]);
      expect(server.tuning()).toEqual({ handlers: { "worker/fwd": { paused: "drop" } } });
      for (let i = 6; i <= 8; i++) server.offer("in", i);
      await eventually(() => server.counter("handler_paused_dropped_total", { handler: "fwd" }) === 3, "3 events dropped for the paused handler");
      expect(ring().depth).toBe(0);
      await server.resumeHandler("fwd");
      server.offer("in", 9);
      expect(await out.waitFor(6)).toEqual([1, 2, 3, 4, 5, 9]);
      expect(value(await scrape(server.adminUrl!), "mongoose_component_paused", { kind: "handler", component: "fwd", agent: "worker" })).toBe(0);

      await failsWith(server.command("handler.pause", ["worker/fwd", "later"]), "bad-arguments", /policy must be one of hold, drop, got "later"/);
      await failsWith(server.command("handler.pause", ["worker/nobody"]), "bad-arguments", /no handler "worker\/nobody" \(handlers: worker\/fwd\)/);
      await failsWith(server.command("handler.pause", []), "bad-arguments", /needs handler: handler.pause <handler> \[policy\]/);
    } finally {
      await server.stop();
    }
  });

  it("shows and resets every kind of tuning, and rejects bad idle specs", async () => {
    const server = await boot(config());
    try {
      expect(await server.command("tuning.show")).toEqual({ tuned: {} });
      await server.setIdleStrategy("worker", "yielding");
      await server.setBatchSize("worker", 8);
      await server.setOnFull("in", "worker", "dropNewest");
      await server.pauseHandler("worker/fwd", "drop");
      const tuned = { agents: { worker: { idleStrategy: { type: "yielding" }, batchSize: 8 } }, subscriptions: { in: { worker: "dropNewest" } }, handlers: { "worker/fwd": { paused: "drop" } } };
      expect(await server.command("tuning.show")).toEqual({ tuned });
      expect(await server.command("tuning.reset")).toEqual({ reverted: tuned, tuned: {} });
      expect(server.topology().agents.find((a) => a.name === "worker")).toMatchObject({ idleStrategy: "backoff", batchSize: 256 });
      server.offer("in", "delivered again");
      await server.sink("out").waitFor(1);

      await failsWith(server.command("agent.idleStrategy", ["worker", "turbo"]), "bad-arguments", /expected one of busySpin, noOp, yielding, backoff, sleeping, blocking or \{type: …\}, got "turbo"/);
      await failsWith(server.command("agent.idleStrategy", ["worker", '{"type":"sleeping","sleepNanos":-1}']), "bad-arguments", /sleepNanos: must be ≥ 0/);
      await failsWith(server.command("agent.idleStrategy", ["worker"]), "bad-arguments", /needs spec: agent.idleStrategy <agent> <spec>/);
      const { status, body } = await post(server, "agent.idleStrategy", ["ghost", "blocking"]);
      expect(status).toBe(400);
      expect(body.error).toMatch(/agent "ghost": no such agent/);
    } finally {
      await server.stop();
    }
  });

  it("persists to the overlay file, which the next boot applies; reset and persist remove it", async () => {
    const folder = tempDir("mongoose-tuning-overlay-");
    const tuningOverlay = folder.path("app.tuning.yaml");
    try {
      const first = await boot(config(), { tuningOverlay });
      try {
        await first.setBatchSize("worker", 16);
        await first.setIdleStrategy("worker", { type: "sleeping", sleepNanos: 100_000 });
        expect(await first.command("tuning.persist")).toEqual({ overlay: tuningOverlay, tuned: first.tuning() });
      } finally {
        await first.stop();
      }
      const second = await boot(config(), { tuningOverlay });
      try {
        expect(second.topology().agents.find((a) => a.name === "worker")).toMatchObject({
          idleStrategy: "sleeping",
          idle: { type: "sleeping", sleepNanos: 100_000 },
          batchSize: 16,
          tuned: ["idleStrategy", "batchSize"],
        });
        // Reset goes back to the configuration; the file stays until persisted again.
        await second.resetTuning();
        expect(second.topology().agents.find((a) => a.name === "worker")!.batchSize).toBe(256);
        await second.persistTuning();
      } finally {
        await second.stop();
      }
      const third = await boot(config(), { tuningOverlay });
      try {
        expect(third.tuning()).toEqual({});
      } finally {
        await third.stop();
      }
    } finally {
      folder.cleanup();
    }
  });

  it("refuses a broken overlay file at boot, naming its line, and skips settings that no longer fit", async () => {
    const folder = tempDir("mongoose-tuning-bad-overlay-");
    const tuningOverlay = folder.path("app.tuning.yaml");
    try {
      writeFileSync(tuningOverlay, "agents:\n  worker: { batchSize: 0, turbo: true }\n");
      const problems = await boot(config(), { tuningOverlay }).then(() => [], (error) => error.problems as string[]);
      expect(problems).toEqual([
        `${tuningOverlay}:2:24 agents.worker.batchSize: must be ≥ 1, got 0`,
        `${tuningOverlay}:2:27 agents.worker.turbo: unknown key`,
      ]);

      writeFileSync(tuningOverlay, "agents:\n  gone: { batchSize: 8 }\n  worker: { batchSize: 16 }\n");
      const server = await boot(config(), { tuningOverlay });
      try {
        expect(server.tuning()).toEqual({ agents: { worker: { batchSize: 16 } } });
      } finally {
        await server.stop();
      }
    } finally {
      folder.cleanup();
    }
  });
});
