/**
 * The test side of the NATS connector tests, with the plain client: publish into a stream, read a
 * stream back, ask a durable consumer what is left.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";

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
