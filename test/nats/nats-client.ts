/**
 * The test side of the NATS connector tests, with the plain client: a broker per test file, publish into
 * a stream, read a stream back, ask a durable consumer what is left.
 */
import { afterAll, beforeAll } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { MongooseServer } from "../../src/mod.ts";
import { NatsServer } from "./nats-server.ts";

/** A file's broker and plain client (set once its tests start), and the servers to stop after them. */
export interface TestBroker {
  nats: NatsServer;
  client: NatsConnection;
  /** Stopped after the file's tests (before the broker). */
  servers: MongooseServer[];
}

/**
 * Starts a nats-server and connects a plain client before the calling file's tests; stops the servers the
 * tests pushed, the client and the broker after them.
 *
 * @example
 * ```ts
 * const broker = useBroker();
 * test("…", async () => { await publishAll(broker.client, [{ subject: "a.b", data: "{}" }]); });
 * ```
 */
export function useBroker(extraArgs: string[] = []): TestBroker {
  const broker = { servers: [] as MongooseServer[] } as TestBroker;
  beforeAll(async () => {
    broker.nats = await NatsServer.start(extraArgs);
    broker.client = await connect({ servers: broker.nats.url });
  });
  afterAll(async () => {
    for (const server of broker.servers) await server.stop();
    await broker.client?.close();
    await broker.nats?.stop();
  });
  return broker;
}

/** Publishes each message with JetStream (awaiting the stream's ack), in order. */
export async function publishAll(client: NatsConnection, messages: { subject: string; data: string }[]): Promise<void> {
  const js = jetstream(client);
  for (const message of messages) await js.publish(message.subject, message.data);
}

/** Reads the first `count` messages of a stream (an ordered consumer), waiting for them up to `timeoutMs`. */
export async function readSubject(client: NatsConnection, stream: string, count: number, timeoutMs = 30_000): Promise<{ subject: string; data: string }[]> {
  const consumer = await jetstream(client).consumers.get(stream);
  const out: { subject: string; data: string }[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < count && Date.now() < deadline) {
    const batch = await consumer.fetch({ max_messages: count - out.length, expires: 1000 });
    for await (const message of batch) out.push({ subject: message.subject, data: message.string() });
  }
  return out;
}

/** The durable consumer's messages not yet delivered (`pending`) and delivered but not acked (`unacked`). */
export async function consumerLeft(client: NatsConnection, stream: string, durable: string): Promise<{ pending: number; unacked: number }> {
  const info = await (await jetstreamManager(client)).consumers.info(stream, durable);
  return { pending: info.num_pending, unacked: info.num_ack_pending };
}
