import { describe, expect, test } from "bun:test";
import { boot, eventually, sleep } from "../helpers.ts";
import { consumerLeft, publishAll, useBroker } from "../nats/nats-client.ts";

describe("pausing a NATS feed", () => {
  const broker = useBroker();

  test("publishes nothing while paused, keeps what arrived from redelivery, and resumes with it in order", async () => {
    const server = await boot({
      eventFeeds: [{ name: "in", type: "nats", servers: [broker.nats.url], subject: "paused.>", stream: "PAUSED", durable: "paused", valueMapper: "json", ackWaitMs: 1000, broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { fwd: { handler: "./forwarder.ts" } } }],
    }, { logLevel: "silent" });
    const out = server.sink("out");
    const published = () => server.counter("feed_published_total", { feed: "in" });
    try {
      await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed is connected", 30_000);
      await publishAll(broker.client, [1, 2, 3].map((n) => ({ subject: "paused.n", data: String(n) })));
      await out.waitFor(3, 30_000);

      await server.pauseFeed("in");
      await publishAll(broker.client, [4, 5, 6].map((n) => ({ subject: "paused.n", data: String(n) })));
      // They reach the feed's agent and wait there, unpublished; what was handled before is acked meanwhile.
      await eventually(() => server.counter("nats_pending", { feed: "in" }) === 3, "the 3 messages held by the paused feed", 30_000);
      await eventually(() => server.counter("nats_acked_total", { feed: "in" }) === 3, "the first 3 acked while paused", 30_000);
      // Past the ack wait: held messages not reported in progress would have been delivered again by now.
      await sleep(1500);
      expect(server.counter("nats_redelivered_total", { feed: "in" })).toBe(0);
      expect(published()).toBe(3);
      expect(out.values()).toEqual([1, 2, 3]);

      await server.resumeFeed("in");
      expect(await out.waitFor(6, 30_000)).toEqual([1, 2, 3, 4, 5, 6]);
      await eventually(async () => (await consumerLeft(broker.client, "PAUSED", "paused")).unacked === 0, "every message acked", 30_000);
      expect(server.counter("nats_redelivered_total", { feed: "in" })).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
