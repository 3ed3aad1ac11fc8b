import { afterAll, describe, expect, it } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { MongooseConfig, MongooseServer } from "../../src/mod.ts";
import { boot, eventually, FIXTURES, tempDir } from "../helpers.ts";
import { runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

const OFFERED = 500;
const tmp = tempDir("mongoose-flow-");
afterAll(() => tmp.cleanup());

type Policy = "block" | "dropNewest" | "dropOldest" | "disconnect";

/**
 * A memory feed with 1 KiB rings into a handler on agent "held" that waits while `gate` exists (so its
 * ring fills and stays full until the test lets go), forwarding to sink "out"; admin on a free port.
 */
function heldConfig(gate: string, feed: { onFull?: Policy }, handler: { onFull?: Record<string, Policy> } = {}): MongooseConfig {
  return {
    eventFeeds: [{ name: "in", type: "memory", broadcast: true, ringCapacity: 1024, ...feed }],
    eventSinks: [{ name: "out", type: "memory" }],
    eventHandlers: [{ agentName: "held", eventHandlers: { gated: { handler: "./gated.ts", configMap: { gate }, ...handler } } }],
    admin: { port: 0 },
  };
}

/** Boots with the gate closed, offers 0…OFFERED-1 (none may block), and returns the feed's ring into "held". */
async function flood(name: string, feed: { onFull?: Policy }, handler?: { onFull?: Record<string, Policy> }) {
  const gate = tmp.path(`${name}.gate`);
  writeFileSync(gate, "");
  const server = await boot(heldConfig(gate, feed, handler));
  for (let i = 0; i < OFFERED; i++) server.offer("in", i);
  const ring = () => server.topology().rings.find((r) => r.kind === "feed" && r.name === "in" && r.consumer === "held")!;
  const open = () => rmSync(gate, { force: true });
  return { server, ring, open };
}

async function get(server: MongooseServer, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.adminUrl}${path}`);
  return { status: response.status, text: await response.text() };
}

/** The value of the `mongoose_queue_dropped_total` sample of ring "in" → "held" for `reason`. */
function droppedMetric(metrics: string, reason: string): number {
  const line = metrics.split("\n").find((l) =>
    l.startsWith("mongoose_queue_dropped_total{") && l.includes(`feed="in"`) && l.includes(`agent="held"`) && l.includes(`reason="${reason}"`)
  );
  if (!line) throw new Error(`no mongoose_queue_dropped_total sample for reason ${reason} in:\n${metrics}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("onFull: what a full ring does", () => {
  it("dropNewest drops the events that do not fit, at once, and counts them: delivered + dropped = offered", async () => {
    const { server, ring, open } = await flood("newest", { onFull: "dropNewest" });
    try {
      const fitted = ring().publishedEvents;
      expect(ring().onFull).toBe("dropNewest");
      expect(fitted).toBeGreaterThan(0);
      expect(fitted).toBeLessThan(OFFERED);
      expect(ring().droppedNewest).toBe(OFFERED - fitted);
      expect(ring().droppedOldest + ring().droppedDisconnected).toBe(0);
      expect(server.counter("feed_dropped_total", { feed: "in" })).toBe(0); // that one counts consumers that are gone
      expect(droppedMetric((await get(server, "metrics")).text, "dropNewest")).toBe(OFFERED - fitted);
      open();
      const delivered = await server.sink<number>("out").waitFor(fitted, 30_000);
      expect(delivered).toEqual(range(0, fitted)); // the oldest kept, the newest dropped
      expect(ring().disconnected).toBe(false);
      expect((await server.stop()).clean).toBe(true);
      expect(server.sink("out").values()).toHaveLength(fitted);
    } finally {
      open();
      await server.stop();
    }
  });

  it("dropOldest discards the oldest events not yet taken to make room for the new ones", async () => {
    const { server, ring, open } = await flood("oldest", { onFull: "dropOldest" });
    try {
      const dropped = ring().droppedOldest;
      expect(ring().onFull).toBe("dropOldest");
      expect(ring().publishedEvents).toBe(OFFERED); // every event was written; the oldest were discarded
      expect(dropped).toBeGreaterThan(0);
      expect(ring().droppedNewest + ring().droppedDisconnected).toBe(0);
      expect(droppedMetric((await get(server, "metrics")).text, "dropOldest")).toBe(dropped);
      open();
      await eventually(() => server.sink("out").values().length + dropped === OFFERED, "every event delivered or dropped", 30_000);
      const delivered = server.sink<number>("out").values();
      // The handler took at most one event before it was held; the rest delivered are the newest, in order.
      const newest = delivered.slice(delivered.length > 1 && delivered[1] !== delivered[0] + 1 ? 1 : 0);
      expect(newest).toEqual(range(OFFERED - newest.length, OFFERED));
      expect(delivered.length - newest.length).toBeLessThanOrEqual(1);
      expect([...delivered].sort((a, b) => a - b)).toEqual(delivered);
      expect(ring().depth).toBe(0);
      expect((await server.stop()).clean).toBe(true);
    } finally {
      open();
      await server.stop();
    }
  });

  it("disconnect detaches the slow subscriber: the rest of its events are dropped, and readiness names it", async () => {
    const { server, ring, open } = await flood("disconnect", { onFull: "disconnect" });
    try {
      const fitted = ring().publishedEvents;
      expect(ring().disconnected).toBe(true);
      expect(ring().droppedDisconnected).toBe(OFFERED - fitted);
      const ready = await get(server, "health/ready");
      expect(ready.status).toBe(503);
      expect(ready.text).toContain(`feed \\"in\\" disconnected its subscriber agent \\"held\\"`);
      open();
      expect(await server.sink<number>("out").waitFor(fitted, 30_000)).toEqual(range(0, fitted));
      // Room again, but the subscriber stays detached: later events are dropped for it too.
      await eventually(() => ring().depth === 0, "the held events drained", 30_000);
      for (let i = OFFERED; i < OFFERED + 10; i++) server.offer("in", i);
      expect(ring().droppedDisconnected).toBe(OFFERED + 10 - fitted);
      expect(ring().publishedEvents).toBe(fitted);
      expect(droppedMetric((await get(server, "metrics")).text, "disconnected")).toBe(OFFERED + 10 - fitted);
      expect((await get(server, "health/ready")).status).toBe(503);
      expect(server.sink("out").values()).toEqual(range(0, fitted));
    } finally {
      open();
      await server.stop();
    }
  });

  it("block (the default) loses nothing: the publisher waits for the slow handler", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true, ringCapacity: 1024, onFull: "block" }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "slow-agent", eventHandlers: { slow: { handler: "./slow.ts", configMap: { delayMicros: 20 } } } }],
    });
    try {
      for (let i = 0; i < 2000; i++) server.offer("in", i);
      expect(await server.sink("out").waitFor(2000, 30_000)).toEqual(range(0, 2000));
      const ring = server.topology().rings.find((r) => r.kind === "feed")!;
      expect(ring.onFull).toBe("block");
      expect(ring.stalls).toBeGreaterThan(0);
      expect(ring.droppedNewest + ring.droppedOldest + ring.droppedDisconnected).toBe(0);
      expect(server.counter("feed_dropped_total")).toBe(0);
    } finally {
      await server.stop();
    }
  });

  it("a handler added at runtime on a new agent brings its onFull; on a running agent with handlers it is refused", async () => {
    const gate = tmp.path("runtime.gate");
    const server = await boot(heldConfig(gate, {}));
    try {
      await server.addHandler({ agentName: "late", name: "late-copy", handler: "./subscriber.ts", configMap: { subscribe: ["in"], sink: "out" }, onFull: { in: "dropOldest" } });
      await eventually(() => server.topology().rings.some((r) => r.kind === "feed" && r.consumer === "late"), "the late agent's ring");
      expect(server.topology().rings.find((r) => r.kind === "feed" && r.consumer === "late")!.onFull).toBe("dropOldest");
      await expect(server.addHandler({ agentName: "held", name: "another", handler: "./subscriber.ts", onFull: { in: "dropNewest" } }))
        .rejects.toThrow(`agent "held" is running with handlers, whose ring from "in" keeps its policy; onFull of an added handler applies to a new agent only`);
      await expect(server.addHandler({ agentName: "new-one", name: "other", handler: "./subscriber.ts", onFull: { nope: "dropNewest" } }))
        .rejects.toThrow(`"nope" names no feed or pipe (feeds: in)`);
    } finally {
      await server.stop();
    }
  });

  it("a handler's onFull sets the policy of its agent's ring only; other subscribers keep the feed's", async () => {
    const gate = tmp.path("override.gate");
    writeFileSync(gate, "");
    const config = heldConfig(gate, {}, { onFull: { in: "dropNewest" } });
    config.eventSinks!.push({ name: "all", type: "memory" });
    config.eventHandlers!.push({ agentName: "keeping-up", eventHandlers: { copy: { handler: "./subscriber.ts", configMap: { sink: "all" } } } });
    const server = await boot(config);
    try {
      for (let i = 0; i < OFFERED; i++) server.offer("in", i);
      const rings = server.topology().rings.filter((r) => r.kind === "feed");
      const held = rings.find((r) => r.consumer === "held")!;
      expect(held.onFull).toBe("dropNewest");
      expect(held.droppedNewest).toBe(OFFERED - held.publishedEvents);
      expect(rings.find((r) => r.consumer === "keeping-up")!.onFull).toBe("block");
      const all = await server.sink<{ event: number }>("all").waitFor(OFFERED, 30_000);
      expect(all.map((r) => r.event)).toEqual(range(0, OFFERED));
    } finally {
      rmSync(gate, { force: true });
      await server.stop();
    }
  });
});

describe("onFull on a pipe", () => {
  it("applies to the rings from the pipe's writers into each subscribing agent", async () => {
    const gate = tmp.path("pipe.gate");
    writeFileSync(gate, "");
    const server = await boot({
      eventFeeds: [{ name: "source", type: "memory" }],
      pipes: [{ name: "p", onFull: "dropNewest", ringCapacity: 1024 }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [
        { agentName: "w", eventHandlers: { writer: { handler: "./pipe-writer.ts", configMap: { subscribe: ["source"], pipe: "p.sink" } } } },
        { agentName: "held", eventHandlers: { gated: { handler: "./gated.ts", configMap: { gate } } } },
      ],
    });
    try {
      for (let i = 0; i < OFFERED; i++) server.offer("source", i);
      const ring = () => server.topology().rings.find((r) => r.kind === "feed" && r.name === "p" && r.consumer === "held")!;
      // One value per source event ("hello from writer", sent at start before any subscriber's ring existed, was unrouted).
      await eventually(() => ring().publishedEvents + ring().droppedNewest === OFFERED, "the writer to have written every value", 30_000);
      expect(ring().onFull).toBe("dropNewest");
      expect(ring().producer).toBe("w");
      const fitted = ring().publishedEvents;
      expect(ring().droppedNewest).toBeGreaterThan(0);
      rmSync(gate, { force: true });
      const delivered = await server.sink<unknown>("out").waitFor(fitted, 30_000);
      expect(delivered).toEqual(range(0, fitted).map((event) => ({ from: "writer", event })));
    } finally {
      rmSync(gate, { force: true });
      await server.stop();
    }
  });
});

describe("onFull from a YAML file, run by the CLI", () => {
  it("file feeds into a held agent: one slow-consumer warning per ring with its fields, the disconnect logged once", async () => {
    const gate = tmp.path("cli.gate");
    writeFileSync(gate, "");
    writeFileSync(tmp.path("lines.txt"), Array.from({ length: 2000 }, (_, i) => `line ${i}`).join("\n") + "\n");
    const feed = (name: string, onFull: Policy) =>
      `  - {name: ${name}, type: file, filename: lines.txt, readStrategy: ONCE_EARLIEST, broadcast: true, agentName: reader, ringCapacity: 1024, onFull: ${onFull}}`;
    writeFileSync(tmp.path("app.yaml"), [
      "admin: {port: 0}",
      "eventFeeds:",
      feed("dropping", "dropNewest"),
      feed("detaching", "disconnect"),
      "eventSinks: [{name: out, type: file, filename: out.txt}]",
      "eventHandlers:",
      "  - agentName: held",
      "    eventHandlers:",
      `      gated: {handler: ${FIXTURES}gated.ts, configMap: {gate: ${gate}}}`,
      "",
    ].join("\n"));
    const child = start(runtimeCommand(MAIN, ["run", tmp.path("app.yaml")]));
    let stderr = "";
    child.onStdout(() => {});
    child.onStderr((text) => (stderr += text));
    try {
      await eventually(() => /slow consumer disconnected/.test(stderr) && /ring of feed "dropping" into agent "held" is full/.test(stderr), "both rings to fill", 60_000);
      const url = /admin: (http:\/\/\S+)/.exec(stderr)![1];
      let scraped = "";
      await eventually(async () => {
        try {
          const response = await fetch(`${url}metrics`, { signal: AbortSignal.timeout(10_000) });
          scraped = `${response.status} ${await response.text()}`;
        } catch (error) {
          scraped = `no answer: ${error}`; // a scrape that hung or failed is tried again until the deadline
          return false;
        }
        return /mongoose_queue_dropped_total\{[^}]*feed="dropping"[^}]*reason="dropNewest"[^}]*\} [1-9]/.test(scraped);
      }, "the drops exported", 30_000).catch((error) => {
        const dropped = scraped.split("\n").filter((line) => line.startsWith("mongoose_queue_dropped_total") || !line.startsWith("mongoose_") && !line.startsWith("#"));
        throw new Error(`${(error as Error).message}\nlast scrape: ${dropped.join("\n")}\nserver log:\n${stderr.slice(-3000)}`);
      });
      const warnings = stderr.split("\n").filter((line) => line.includes("WARN  slow consumer"));
      const dropping = warnings.filter((line) => line.includes(`feed "dropping"`));
      expect(dropping.length).toBeGreaterThanOrEqual(1);
      expect(dropping[0]).toMatch(/slow consumer: ring of feed "dropping" into agent "held" is full \(onFull: dropNewest\) agent=reader feed=dropping subscriber=held depth=\d+ capacityBytes=1024 onFull=dropNewest suppressed=0/);
      // At most one line per 5 s window, then a summary of what was held back.
      for (const line of dropping.slice(1)) expect(line).toMatch(/was full [\d,]+ more times in the last [\d.]+ s .*suppressed=[1-9]|is full .*suppressed=0/);
      const disconnects = stderr.split("\n").filter((line) => line.includes("slow consumer disconnected"));
      expect(disconnects).toHaveLength(1);
      expect(disconnects[0]).toMatch(/ERROR slow consumer disconnected: feed "detaching" stops writing to agent "held" \(its ring was full, onFull: disconnect\).* agent=reader feed=detaching subscriber=held depth=\d+ capacityBytes=1024 onFull=disconnect/);
      const ready = await fetch(`${url}health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toContain(`feed \\"detaching\\" disconnected its subscriber agent \\"held\\"`);
    } finally {
      rmSync(gate, { force: true });
      child.interrupt();
      await child.exitCode;
    }
  }, 150_000);
});
