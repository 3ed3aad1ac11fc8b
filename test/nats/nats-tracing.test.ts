import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers, type Msg } from "@nats-io/transport-node";
import type { MongooseConfig, MongooseServer } from "../../src/mod.ts";
import { boot, eventually, FIXTURES, freePort } from "../helpers.ts";
import { useBroker } from "./nats-client.ts";
import { OtlpReceiver, SPAN_KIND } from "./otlp-receiver.ts";

// W3C trace context across a NATS hop: header in → meta.traceparent → (another agent) → header out.
describe("nats tracing", () => {
  const broker = useBroker();
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterAll(() => receiver.stop());

  const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  const PARENT_ID = "00f067aa0ba902b7";
  const SAMPLED = `00-${TRACE_ID}-${PARENT_ID}-01`;

  interface Out {
    /** The `traceparent` header of the published message, or null. */
    header: string | null;
    /** What the handler sent: the event and the `meta.traceparent` it saw. */
    body: { event: unknown; traceparent: string | null };
  }

  /** The handlers between the feed and the sink: by default one trace-echo handler on the agent "worker". */
  type Route = Pick<MongooseConfig, "eventHandlers" | "pipes">;
  const DIRECT: Route = { eventHandlers: [{ agentName: "worker", eventHandlers: { echo: { handler: `${FIXTURES}trace-echo.ts`, configMap: { subscribe: ["in"] } } } }] };

  /**
   * Boots feed (subject `<name>.in`) → `route` (ending in trace-echo) → NATS sink (`<name>.out`,
   * JetStream), subscribes to the output and returns what it received; messages are published with the
   * given `traceparent` header, or none.
   */
  async function pipeline(name: string, tracing: MongooseConfig["tracing"], route = DIRECT) {
    const manager = await jetstreamManager(broker.client);
    await manager.streams.add({ name: `${name.toUpperCase()}_OUT`, subjects: [`${name}.out`] });
    const received: Out[] = [];
    const subscription = broker.client.subscribe(`${name}.out`, {
      callback: (_error, message: Msg) => {
        received.push({ header: message.headers?.get("traceparent") || null, body: message.json() });
      },
    });
    const server: MongooseServer = await boot({
      eventFeeds: [{ name: "in", type: "nats", servers: [broker.nats.url], subject: `${name}.in`, stream: `${name.toUpperCase()}_IN`, valueMapper: "json" }],
      eventSinks: [{ name: "out", type: "nats", servers: [broker.nats.url], subject: `${name}.out` }],
      ...route,
      tracing,
    }, { logLevel: "silent" });
    broker.servers.push(server);
    await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "feed and sink connected", 30_000);
    const js = jetstream(broker.client);
    return {
      server,
      received,
      async publish(event: unknown, traceparent?: string) {
        const h = traceparent === undefined ? undefined : headers();
        if (traceparent !== undefined) h!.set("traceparent", traceparent);
        await js.publish(`${name}.in`, JSON.stringify(event), { headers: h });
      },
      async stop() {
        await server.stop();
        subscription.unsubscribe();
      },
    };
  }

  test("without export: the incoming traceparent reaches the handler and goes out unchanged; none in, none out", async () => {
    const run = await pipeline("plain", {});
    try {
      await run.publish(1, SAMPLED);
      await run.publish(2);
      const unsampled = `00-${"a".repeat(32)}-${"b".repeat(16)}-00`;
      await run.publish(3, unsampled);
      await run.publish(4, "not-a-traceparent");
      await eventually(() => run.received.length === 4, "four messages published by the sink", 30_000);
      const byEvent = new Map(run.received.map((out) => [out.body.event, out]));
      expect(byEvent.get(1)).toEqual({ header: SAMPLED, body: { event: 1, traceparent: SAMPLED } });
      expect(byEvent.get(2)).toEqual({ header: null, body: { event: 2, traceparent: null } });
      expect(byEvent.get(3)).toEqual({ header: unsampled, body: { event: 3, traceparent: unsampled } });
      expect(byEvent.get(4)).toEqual({ header: null, body: { event: 4, traceparent: null } });
    } finally {
      await run.stop();
    }
  });

  test("through pipes, to a handler on the same agent and on another: the context follows each hop", async () => {
    const echo = (pipe: string) => ({ handler: `${FIXTURES}trace-echo.ts`, configMap: { subscribe: [pipe] } });
    const run = await pipeline("piped", {}, {
      pipes: [{ name: "local", broadcast: false }, { name: "remote", broadcast: false }],
      eventHandlers: [
        {
          agentName: "first",
          eventHandlers: {
            toLocal: { handler: `${FIXTURES}forwarder.ts`, configMap: { subscribe: ["in"], sink: "local.sink" } },
            toRemote: { handler: `${FIXTURES}forwarder.ts`, configMap: { subscribe: ["in"], sink: "remote.sink" } },
            nearEcho: echo("local"),
          },
        },
        { agentName: "second", eventHandlers: { farEcho: echo("remote") } },
      ],
    });
    try {
      await run.publish(1, SAMPLED);
      await run.publish(2);
      await eventually(() => run.received.length === 4, "each message published by the sink once per echo", 30_000);
      const traced = run.received.filter((out) => out.body.event === 1);
      expect(traced).toEqual([{ header: SAMPLED, body: { event: 1, traceparent: SAMPLED } }, { header: SAMPLED, body: { event: 1, traceparent: SAMPLED } }]);
      expect(run.received.filter((out) => out.body.event === 2).map((out) => out.header ?? out.body.traceparent)).toEqual([null, null]);
    } finally {
      await run.stop();
    }
  });

  test("without tracing: no header goes out and handlers see no traceparent", async () => {
    const run = await pipeline("off", undefined);
    try {
      await run.publish(1, SAMPLED);
      await eventually(() => run.received.length === 1, "the message published by the sink", 30_000);
      expect(run.received[0]).toEqual({ header: null, body: { event: 1, traceparent: null } });
    } finally {
      await run.stop();
    }
  });

  test("with export: a CONSUMER and a PRODUCER span are exported; out has the same trace id and our PRODUCER span as parent", async () => {
    const run = await pipeline("exported", { otlpEndpoint: receiver.endpoint, serviceName: "trace-test" });
    try {
      await run.publish(7, SAMPLED);
      await eventually(() => run.received.length === 1, "the message published by the sink", 30_000);
      const [out] = run.received;
      const [, traceId, parentId, flags] = out.header!.split("-");
      expect(traceId).toBe(TRACE_ID);
      expect(flags).toBe("01");
      expect(parentId).not.toBe(PARENT_ID);
      const spansOfTrace = () => receiver.spans.filter((span) => span.traceId === TRACE_ID);
      await eventually(() => spansOfTrace().length === 2, "both boundary spans exported", 30_000);
      const consumer = spansOfTrace().find((span) => span.kind === SPAN_KIND.consumer)!;
      const producer = spansOfTrace().find((span) => span.kind === SPAN_KIND.producer)!;
      expect(consumer).toMatchObject({ name: "receive exported.in", parentSpanId: PARENT_ID, serviceName: "trace-test" });
      expect(consumer.attributes).toMatchObject({ "messaging.system": "nats", "messaging.destination.name": "exported.in", "messaging.operation.type": "receive" });
      expect(producer).toMatchObject({ name: "publish exported.out", parentSpanId: consumer.spanId, spanId: parentId });
      expect(producer.attributes).toMatchObject({ "messaging.destination.name": "exported.out", "messaging.operation.type": "publish" });
      // The handler saw the context of our CONSUMER span.
      expect(out.body.traceparent).toBe(`00-${TRACE_ID}-${consumer.spanId}-01`);
    } finally {
      await run.stop();
    }
  });

  test("sampleRatio 0: roots are not sampled (nothing exported, nothing carried); a sampled incoming trace still is", async () => {
    const run = await pipeline("ratio", { otlpEndpoint: receiver.endpoint, sampleRatio: 0 });
    const before = receiver.spans.length;
    try {
      for (let i = 1; i <= 5; i++) await run.publish(i);
      const traceId = "1".repeat(32);
      await run.publish(6, `00-${traceId}-${PARENT_ID}-01`);
      await eventually(() => run.received.length === 6, "six messages published by the sink", 30_000);
      expect(run.received.filter((out) => out.header !== null).map((out) => out.body.event)).toEqual([6]);
      await eventually(() => receiver.spans.slice(before).some((span) => span.kind === SPAN_KIND.producer && span.traceId === traceId), "the sampled trace's spans exported", 30_000);
      await run.server.stop(); // flushes what is left
      expect(new Set(receiver.spans.slice(before).map((span) => span.traceId))).toEqual(new Set([traceId]));
    } finally {
      await run.stop();
    }
  });

  test("an unreachable otlpEndpoint is logged and counted; propagation goes on and the server keeps running", async () => {
    const run = await pipeline("unreachable", { otlpEndpoint: `http://127.0.0.1:${await freePort()}/v1/traces` });
    try {
      await run.publish(1, SAMPLED);
      await eventually(() => run.received.length === 1, "the message published by the sink", 30_000);
      expect(run.received[0].header!.split("-")[1]).toBe(TRACE_ID);
      await eventually(() => run.server.counter("tracing_export_failures_total") > 0, "a failed export counted", 30_000);
      await run.publish(2, SAMPLED);
      await eventually(() => run.received.length === 2, "the next message published too", 30_000);
    } finally {
      await run.stop();
    }
  });
});
