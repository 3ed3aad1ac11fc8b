import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { MongooseServer } from "../../src/mod.ts";
import { boot, eventually, FIXTURES } from "../helpers.ts";
import { NatsServer } from "./nats-server.ts";
import { consumerLeft, publishAll, readSubject } from "./nats-client.ts";

// The NATS feed and sink end to end: a real broker, the plain client on the test's side.
describe("nats feed and sink", () => {
  let nats: NatsServer;
  let client: NatsConnection;
  const servers: MongooseServer[] = [];

  beforeAll(async () => {
    nats = await NatsServer.start();
    client = await connect({ servers: nats.url });
  });
  afterAll(async () => {
    for (const server of servers) await server.stop();
    await client?.close();
    await nats?.stop();
  });

  test("messages reach a handler, its outputs reach a subject, and every message is acked", async () => {
    const manager = await jetstreamManager(client);
    await manager.streams.add({ name: "OUT1", subjects: ["out1.>"] });
    const server = await boot({
      eventFeeds: [{ name: "orders", type: "nats", servers: [nats.url], subject: "orders1.>", stream: "ORDERS1", durable: "e2e", valueMapper: "json" }],
      eventSinks: [{ name: "fills", type: "nats", servers: nats.url, subject: "out1.{side}" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: `${FIXTURES}forwarder.ts`, configMap: { subscribe: ["orders"], sink: "fills" } } } }],
    });
    servers.push(server);
    await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed and the sink are connected", 30_000);

    const orders = Array.from({ length: 200 }, (_, id) => ({ id, side: id % 2 === 0 ? "buy" : "sell" }));
    await publishAll(client, orders.map((order) => ({ subject: `orders1.${order.side}`, data: JSON.stringify(order) })));

    const received = await readSubject(client, "OUT1", 200);
    expect(received.map((m) => JSON.parse(m.data).id).sort((a, b) => a - b)).toEqual(orders.map((o) => o.id));
    expect(received.every((m) => m.subject === `out1.${JSON.parse(m.data).side}`)).toBe(true);
    await eventually(async () => (await consumerLeft(client, "ORDERS1", "e2e")).unacked === 0, "every message acked", 30_000);
    expect(await consumerLeft(client, "ORDERS1", "e2e")).toEqual({ pending: 0, unacked: 0 });
    expect(server.counter("nats_acked_total", { feed: "orders" })).toBe(200);
    expect(server.counter("nats_published_total", { sink: "fills" })).toBe(200);
  });
});
