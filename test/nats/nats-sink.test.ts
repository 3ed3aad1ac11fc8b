import { describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { boot, eventually, FIXTURES } from "../helpers.ts";
import { useBroker } from "./nats-client.ts";

// The NATS sink on its own: JetStream publish with a deduplicating Nats-Msg-Id, and core publish.
describe("nats sink", () => {
  const broker = useBroker();

  test("JetStream publish with msgId stores a value sent twice once", async () => {
    const manager = await jetstreamManager(broker.client);
    await manager.streams.add({ name: "DEDUPE", subjects: ["dedupe.>"] });
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "nats", servers: [broker.nats.url], subject: "dedupe.{kind}", msgId: "order-{orderId}" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { twice: { handler: `${FIXTURES}twice.ts` } } }],
    });
    try {
      for (let orderId = 1; orderId <= 50; orderId++) server.offer("in", { orderId, kind: orderId % 2 === 0 ? "even" : "odd" });
      await eventually(() => server.counter("nats_published_total", { sink: "out" }) === 100, "both copies of every value acknowledged", 30_000);
    } finally {
      await server.stop();
    }
    const info = await manager.streams.info("DEDUPE");
    expect(info.state.messages).toBe(50);
    expect((await manager.streams.getMessage("DEDUPE", { last_by_subj: "dedupe.even" }))!.json()).toEqual({ orderId: 50, kind: "even" });
  });

  test("core publish (jetstream: false) sends every value to subscribers", async () => {
    const received: string[] = [];
    const subscription = broker.client.subscribe("core.>", {
      callback: (_error, message) => {
        received.push(`${message.subject} ${message.string()}`);
      },
    });
    await broker.client.flush();
    const server = await boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "nats", servers: [broker.nats.url], subject: "core.values", jetstream: false }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: `${FIXTURES}forwarder.ts` } } }],
    });
    try {
      await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the sink is connected", 30_000);
      for (let i = 1; i <= 50; i++) server.offer("in", `value ${i}`);
      await eventually(() => received.length === 50, "every value received", 30_000);
    } finally {
      await server.stop();
      subscription.unsubscribe();
    }
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => `core.values value ${i + 1}`));
  });
});
