import { describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { boot, eventually, FIXTURES, sleep } from "../helpers.ts";
import { consumerLeft, publishAll, useBroker } from "./nats-client.ts";

// What the NATS feed acks and when: dead letters count as handled; a slow handler slows the pull.
describe("nats feed delivery", () => {
  const broker = useBroker();

  test("an event whose handler always throws ends as a dead letter after its retries and is acked, not redelivered", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "nats", servers: [broker.nats.url], subject: "poison.>", stream: "POISON", durable: "poison", valueMapper: "json", ackWaitMs: 1000, broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }, { name: "dlq", type: "memory" }],
      deadLetter: "dlq",
      eventHandlers: [{
        agentName: "worker",
        eventHandlers: { failing: { handler: `${FIXTURES}failing.ts`, configMap: { failEvery: 1 }, retry: { attempts: 3, backoffMs: 10 } } },
      }],
    }, { logLevel: "silent" });
    try {
      await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed is connected", 30_000);
      await publishAll(broker.client, [1, 2, 3].map((n) => ({ subject: "poison.n", data: String(n) })));
      const dlq = server.sink("dlq");
      await dlq.waitFor(3, 30_000);
      await eventually(async () => (await consumerLeft(broker.client, "POISON", "poison")).unacked === 0, "the dead-lettered messages acked", 30_000);
      // Past the ack wait: a message left unacked would have been delivered again by now.
      await sleep(1500);
      expect(await consumerLeft(broker.client, "POISON", "poison")).toEqual({ pending: 0, unacked: 0 });
      expect(server.counter("nats_redelivered_total", { feed: "in" })).toBe(0);
      expect(server.counter("nats_acked_total", { feed: "in" })).toBe(3);
      expect(server.counter("handler_retries_exhausted_total", { handler: "failing" })).toBe(3);
      expect(dlq.values().length).toBe(3);
    } finally {
      await server.stop();
    }
  });

  test("a slow handler behind a small ring slows the pull: never more than maxAckPending unacked, nothing lost", async () => {
    // More than the 1 KiB ring holds (~40 small events), so the feed also meets a full ring and keeps what it could not publish.
    const maxAckPending = 100;
    const server = await boot({
      eventFeeds: [{ name: "in", type: "nats", servers: [broker.nats.url], subject: "slow.>", stream: "SLOW", durable: "slow", valueMapper: "json", maxAckPending, ringCapacity: 1024, broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { slow: { handler: `${FIXTURES}slow.ts`, configMap: { delayMicros: 2000 } } } }],
    }, { logLevel: "silent" });
    try {
      await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed is connected", 30_000);
      const count = 300;
      await publishAll(broker.client, Array.from({ length: count }, (_, i) => ({ subject: "slow.n", data: String(i) })));
      let mostPending = 0;
      let mostUnacked = 0;
      const out = server.sink("out");
      while (out.values().length < count) {
        mostPending = Math.max(mostPending, server.counter("nats_pending", { feed: "in" }));
        mostUnacked = Math.max(mostUnacked, (await consumerLeft(broker.client, "SLOW", "slow")).unacked);
        await sleep(10);
      }
      expect(out.values()).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(mostPending).toBeGreaterThan(50);
      expect(mostPending).toBeLessThanOrEqual(maxAckPending);
      expect(mostUnacked).toBeLessThanOrEqual(maxAckPending);
      await eventually(async () => (await consumerLeft(broker.client, "SLOW", "slow")).unacked === 0, "every message acked", 30_000);
      expect(server.counter("nats_acked_total", { feed: "in" })).toBe(count);
    } finally {
      await server.stop();
    }
  });

  test("messages waiting longer than the ack wait for a slow handler are reported in progress, not delivered again", async () => {
    const count = 80;
    const server = await boot({
      eventFeeds: [{ name: "in", type: "nats", servers: [broker.nats.url], subject: "patient.>", stream: "PATIENT", durable: "patient", valueMapper: "json", ackWaitMs: 3000, maxAckPending: count, broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { slow: { handler: `${FIXTURES}slow.ts`, configMap: { delayMicros: 75_000 } } } }],
    }, { logLevel: "silent" });
    try {
      await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed is connected", 30_000);
      // 80 × 75 ms = 6 s of work, all fetched at once: the last ones wait twice the ack wait.
      await publishAll(broker.client, Array.from({ length: count }, (_, i) => ({ subject: "patient.n", data: String(i) })));
      await server.sink("out").waitFor(count, 60_000);
      await eventually(async () => (await consumerLeft(broker.client, "PATIENT", "patient")).unacked === 0, "every message acked", 30_000);
      expect(server.counter("nats_redelivered_total", { feed: "in" })).toBe(0);
      expect(server.sink("out").values()).toEqual(Array.from({ length: count }, (_, i) => i));
    } finally {
      await server.stop();
    }
  });

  test("a feed nobody subscribes to does not connect, so it holds no messages other instances could take", async () => {
    const server = await boot({
      eventFeeds: [{ name: "unheard", type: "nats", servers: [broker.nats.url], subject: "unheard.>", durable: "unheard" }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: `${FIXTURES}forwarder.ts` } } }],
    }, { logLevel: "silent" });
    try {
      await sleep(1000);
      expect(await server.feedStatus()).toEqual([
        { feed: "unheard", agent: "io-agent", connected: true, detail: "idle: no handler subscribes, so it does not connect or pull", completed: false, subscribers: 0 },
      ]);
      expect(server.counter("nats_connected", { component: "unheard" })).toBe(0);
      const manager = await jetstreamManager(broker.client);
      expect(await manager.streams.find("unheard.>").catch(() => "none")).toBe("none");
    } finally {
      await server.stop();
    }
  });
});
