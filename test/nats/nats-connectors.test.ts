import { describe, expect, test } from "bun:test";
import { jetstreamManager } from "@nats-io/jetstream";
import { boot, eventually, FIXTURES } from "../helpers.ts";
import { consumerLeft, publishAll, readSubject, useBroker } from "./nats-client.ts";

// The NATS feed and sink end to end: a real broker, the plain client on the test's side.
describe("nats feed and sink", () => {
  const broker = useBroker();

  test("messages reach a handler, its outputs reach a subject, and every message is acked", async () => {
    const manager = await jetstreamManager(broker.client);
    await manager.streams.add({ name: "OUT1", subjects: ["out1.>"] });
    const server = await boot({
      admin: { port: 0 },
      eventFeeds: [{ name: "orders", type: "nats", servers: [broker.nats.url], subject: "orders1.>", stream: "ORDERS1", durable: "e2e", valueMapper: "json" }],
      eventSinks: [{ name: "fills", type: "nats", servers: broker.nats.url, subject: "out1.{side}" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: `${FIXTURES}forwarder.ts`, configMap: { subscribe: ["orders"], sink: "fills" } } } }],
    });
    broker.servers.push(server);
    await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed and the sink are connected", 30_000);

    const orders = Array.from({ length: 200 }, (_, id) => ({ id, side: id % 2 === 0 ? "buy" : "sell" }));
    await publishAll(broker.client, orders.map((order) => ({ subject: `orders1.${order.side}`, data: JSON.stringify(order) })));

    const received = await readSubject(broker.client, "OUT1", 200);
    expect(received.map((m) => JSON.parse(m.data).id).sort((a, b) => a - b)).toEqual(orders.map((o) => o.id));
    expect(received.every((m) => m.subject === `out1.${JSON.parse(m.data).side}`)).toBe(true);
    await eventually(async () => (await consumerLeft(broker.client, "ORDERS1", "e2e")).unacked === 0, "every message acked", 30_000);
    expect(await consumerLeft(broker.client, "ORDERS1", "e2e")).toEqual({ pending: 0, unacked: 0 });
    expect(server.counter("nats_acked_total", { feed: "orders" })).toBe(200);
    expect(server.counter("nats_published_total", { sink: "fills" })).toBe(200);

    const topology = server.topology();
    expect(topology.feeds.find((f) => f.name === "orders")).toMatchObject({ type: "nats", host: "io-agent", subscribers: ["worker"], connected: true });
    expect(topology.sinks.find((s) => s.name === "fills")).toMatchObject({ type: "nats", host: "io-agent", writers: ["worker"], connected: true });

    const metrics = await (await fetch(`${server.adminUrl}metrics`)).text();
    expect(metrics).toContain('mongoose_nats_connected{agent="io-agent",component="orders"} 1');
    expect(metrics).toContain('mongoose_nats_connected{agent="io-agent",component="fills"} 1');
    expect(metrics).toContain('mongoose_nats_acked_total{agent="io-agent",feed="orders"} 200');
    expect(metrics).toContain('mongoose_nats_pending{agent="io-agent",feed="orders"} 0');
    expect(metrics).toContain('mongoose_nats_redelivered_total{agent="io-agent",feed="orders"} 0');
    expect(metrics).toContain('mongoose_nats_published_total{agent="io-agent",sink="fills"} 200');
    expect(metrics).toContain('mongoose_nats_publish_failures_total{agent="io-agent",sink="fills"} 0');
  });

  test("a message is acked only once the output sent while handling it is stored: not while the sink cannot publish", async () => {
    const server = await boot({
      eventFeeds: [{ name: "orders", type: "nats", servers: [broker.nats.url], subject: "orders2.>", durable: "waits", valueMapper: "json", broadcast: true }],
      eventSinks: [{ name: "out", type: "nats", agentName: "nats-out", servers: [broker.nats.url], subject: "out2.all" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: `${FIXTURES}forwarder.ts` } } }],
    }, { logLevel: "error" });
    broker.servers.push(server);
    await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed and the sink are connected", 30_000);
    // The feed created its stream (named after the feed); no stream stores out2.all yet, so every publish fails.
    await publishAll(broker.client, [1, 2, 3, 4, 5].map((n) => ({ subject: "orders2.n", data: String(n) })));
    await eventually(() => server.counter("nats_publish_failures_total", { sink: "out" }) >= 5, "the sink failing to publish", 30_000);
    const status = (await server.feedStatus()).find((s) => s.kind === "sink")!;
    expect(status).toMatchObject({ feed: "out", connected: false, detail: expect.stringContaining("publishing fails") });
    expect(await consumerLeft(broker.client, "ORDERS", "waits")).toEqual({ pending: 0, unacked: 5 });

    await (await jetstreamManager(broker.client)).streams.add({ name: "OUT2", subjects: ["out2.all"] });
    expect((await readSubject(broker.client, "OUT2", 5)).map((m) => m.data)).toEqual(["1", "2", "3", "4", "5"]);
    await eventually(async () => (await consumerLeft(broker.client, "ORDERS", "waits")).unacked === 0, "every message acked once its output is stored", 30_000);
    await publishAll(broker.client, [6, 7].map((n) => ({ subject: "orders2.n", data: String(n) })));
    expect((await readSubject(broker.client, "OUT2", 7)).map((m) => m.data)).toEqual(["1", "2", "3", "4", "5", "6", "7"]);
    // Stopped at once: the graceful stop acks what was handled and written before it closes the connection.
    expect((await server.stop()).clean).toBe(true);
    expect(await consumerLeft(broker.client, "ORDERS", "waits")).toEqual({ pending: 0, unacked: 0 });
  });

  test("a value the sink cannot address (no field for its subject, or not a valid subject) is reported and its message still acked", async () => {
    await (await jetstreamManager(broker.client)).streams.add({ name: "OUT3", subjects: ["out3.>"] });
    const server = await boot({
      eventFeeds: [{ name: "orders", type: "nats", servers: [broker.nats.url], subject: "orders3.>", stream: "ORDERS3", durable: "unaddressable", valueMapper: "json", broadcast: true }],
      eventSinks: [{ name: "out", type: "nats", servers: [broker.nats.url], subject: "out3.{side}" }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: `${FIXTURES}forwarder.ts` } } }],
    }, { logLevel: "silent" });
    broker.servers.push(server);
    await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed and the sink are connected", 30_000);
    await publishAll(broker.client, ['{"side":"buy","n":1}', '{"n":2}', '{"side":"no side","n":3}', '{"side":"sell","n":4}'].map((data) => ({ subject: "orders3.n", data })));
    expect((await readSubject(broker.client, "OUT3", 2)).map((m) => `${m.subject} ${m.data}`)).toEqual(['out3.buy {"side":"buy","n":1}', 'out3.sell {"side":"sell","n":4}']);
    await eventually(async () => (await consumerLeft(broker.client, "ORDERS3", "unaddressable")).unacked === 0, "all four acked", 30_000);
    expect(server.counter("sink_errors_total", { sink: "out" })).toBe(2);
    const errors = server.errors().map((e) => e.message).join("\n");
    expect(errors).toContain('subject "out3.{side}": the value has no field "side"');
    expect(errors).toContain('subject "out3.{side}": "out3.no side" is not a subject to publish to');
  });
});
