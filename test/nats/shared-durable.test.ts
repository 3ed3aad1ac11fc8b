/**
 * A durable shared by instances keeps the settings it was created with: the README's NATS table says an
 * existing durable "is used as it is" (and the scale-out guide relies on it). An instance started later
 * with other `maxAckPending`, `ackWaitMs` or `subject` must not change what every other instance gets.
 */
import { describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { boot, eventually, FIXTURES } from "../helpers.ts";
import { useBroker } from "./nats-client.ts";

describe("a durable shared by two instances", () => {
  const broker = useBroker();

  /** An instance whose handler subscribes to the feed (a feed connects once someone subscribes). */
  async function instance(feed: { subject: string; maxAckPending: number; ackWaitMs: number }): Promise<void> {
    const server = await boot({
      eventFeeds: [{ name: "orders", type: "nats", servers: [broker.nats.url], stream: "SHARED", durable: "shared", valueMapper: "json", ...feed }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { listen: { handler: `${FIXTURES}subscriber.ts`, configMap: { subscribe: ["orders"] } } } }],
    });
    broker.servers.push(server);
    await eventually(async () => (await server.feedStatus()).every((status) => status.connected), "the feed connected", 30_000);
  }

  test("keeps the first instance's maxAckPending, ackWaitMs and subject when a second one names other values", async () => {
    const manager = await jetstreamManager(broker.client);
    await manager.streams.add({ name: "SHARED", subjects: ["shared.>"] });
    await instance({ subject: "shared.>", maxAckPending: 256, ackWaitMs: 5000 });
    const settings = async () => {
      const { config } = await manager.consumers.info("SHARED", "shared");
      return { maxAckPending: config.max_ack_pending, ackWaitMs: (config.ack_wait ?? 0) / 1e6, subject: config.filter_subject };
    };
    const created = { maxAckPending: 256, ackWaitMs: 5000, subject: "shared.>" };
    expect(await settings()).toEqual(created);

    await instance({ subject: "shared.eu.>", maxAckPending: 512, ackWaitMs: 30000 });
    expect(await settings()).toEqual(created);
  }, 120_000);
});
