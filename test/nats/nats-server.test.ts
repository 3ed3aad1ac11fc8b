import { afterAll, describe, expect, test } from "bun:test";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { NatsServer } from "./nats-server.ts";

// The harness the NATS connector tests rely on: a real broker whose JetStream store survives a restart.
describe("nats-server test harness", () => {
  let nats: NatsServer | undefined;
  afterAll(async () => await nats?.stop());

  test("a stream written before a restart is there after it", async () => {
    nats = await NatsServer.start();
    let connection = await connect({ servers: nats.url });
    let manager = await jetstreamManager(connection);
    await manager.streams.add({ name: "HARNESS", subjects: ["harness.>"] });
    await manager.jetstream().publish("harness.a", "one");
    await connection.close();

    await nats.restart();
    connection = await connect({ servers: nats.url });
    manager = await jetstreamManager(connection);
    expect((await manager.streams.info("HARNESS")).state.messages).toBe(1);
    await connection.close();
  });
});
