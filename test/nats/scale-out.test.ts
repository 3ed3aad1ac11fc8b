/**
 * Scale-out on NATS JetStream: two `mongoose run` instances of config/examples/scale-out share one durable
 * consumer on a real nats-server. Each instance writes `{id, instance}` per order to its own file; the
 * tests read those files and the instances' admin servers (readiness, /metrics). They wait on those
 * conditions, never on fixed sleeps.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eventually, tempDir } from "../helpers.ts";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { NatsServer } from "./nats-server.ts";
import { consumerLeft } from "./nats-client.ts";
import {
  allReady, copyScaleOutExample, expectTwoInstancesSplitOrders, type Instance, type InstanceOptions, processedIds, processedLines, publishOrders,
  SCALE_OUT_DEADLINE_MS as DEADLINE_MS, startInstance,
} from "./scale-out-instances.ts";

const TEST_TIMEOUT_MS = 300_000;

let nats: NatsServer;
let temp: ReturnType<typeof tempDir>;
let yaml: string;
let instances: Instance[];

beforeEach(async () => {
  nats = await NatsServer.start();
  temp = tempDir("mongoose-scale-out-");
  yaml = copyScaleOutExample(temp.dir);
  instances = [];
});
afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.kill()));
  await nats.stop();
  temp.cleanup();
});

async function startBoth(options?: InstanceOptions): Promise<[Instance, Instance]> {
  instances = [await startInstance(yaml, "a", nats.url, options), await startInstance(yaml, "b", nats.url, options)];
  await allReady(instances);
  return instances as [Instance, Instance];
}

/** Every id in 0…count-1 processed at least once. */
const allProcessed = (count: number) => () => processedIds(yaml).size === count;
const range = (count: number) => Array.from({ length: count }, (_, id) => id);
const sharesOf = (name: string) => processedLines(yaml).filter((line) => line.instance === name).length;

/** What the durable has left to deliver or have acked, and how many fills the FILLS stream keeps. */
async function brokerState(): Promise<{ left: { pending: number; unacked: number }; fills: number }> {
  const client = await connect({ servers: nats.url });
  try {
    const fills = (await (await jetstreamManager(client)).streams.info("FILLS")).state.messages;
    return { left: await consumerLeft(client, "ORDERS", "fillers"), fills };
  } finally {
    await client.close();
  }
}

/** The durable has handed out every order and had each acked (redeliveries included). */
async function durableSettled(): Promise<boolean> {
  const { left } = await brokerState();
  return left.pending === 0 && left.unacked === 0;
}

describe("two instances sharing one durable consumer (config/examples/scale-out)", () => {
  test("process every order exactly once between them, and both do a share (the same with the binary: test/build.test.ts)", async () => {
    await expectTwoInstancesSplitOrders(yaml, nats.url, 3000);
  }, TEST_TIMEOUT_MS);

  test("kill -9 of one instance mid-stream: the other finishes the stream; redeliveries counted, nothing lost", async () => {
    // 1 ms of work per order: each instance holds pulled orders it has not handled yet when a is killed
    // (acking them on arrival would lose them; acking after handling has them redelivered).
    const [a, b] = await startBoth({ env: { WORK_MICROS: "1000" } });
    const count = 5000;
    const publishing = publishOrders(nats.url, count);
    await eventually(() => sharesOf("a") >= 200, "instance a working", DEADLINE_MS);
    expect(await a.kill()).not.toBe(0);
    const processedByA = new Set(processedLines(yaml).filter((line) => line.instance === "a").map((line) => line.id));
    await publishing;

    await eventually(allProcessed(count), `every order processed by the survivor\n${b.log()}`, DEADLINE_MS);
    const redelivered = await b.metric("mongoose_nats_redelivered_total");
    const processedByB = processedLines(yaml).filter((line) => line.instance === "b").map((line) => line.id);
    const processedTwice = processedByB.filter((id) => processedByA.has(id)).length;
    // What a held unacked came back to b after ackWaitMs: at least every order both wrote (a's file may
    // miss what it handled last, so redeliveries can exceed the duplicates seen).
    expect(redelivered).toBeGreaterThan(0);
    expect(redelivered).toBeGreaterThanOrEqual(processedTwice);
    // Orders a handled but had not acked come back after ackWaitMs, possibly after every id was seen.
    await eventually(durableSettled, "the durable has nothing left to deliver or have acked", DEADLINE_MS);
    expect(await b.stop()).toBe(0);

    // The durable has nothing left; the fills of orders handled twice were published twice with the same
    // Nats-Msg-Id (fill-<orderId>), and FILLS kept one of each.
    expect(await brokerState()).toEqual({ left: { pending: 0, unacked: 0 }, fills: count });
  }, TEST_TIMEOUT_MS);

  test("nats-server restarted mid-stream: readiness 503 then 200 on both instances, nothing lost", async () => {
    const [a, b] = await startBoth();
    const count = 5000;
    await publishOrders(nats.url, count);
    await eventually(() => processedLines(yaml).length >= 100, "orders flowing", DEADLINE_MS);

    await nats.halt();
    for (const instance of [a, b]) {
      await eventually(async () => (await instance.readiness()) === 503, `instance ${instance.name} not ready while nats-server is down`, DEADLINE_MS);
    }
    await nats.resume();
    await allReady([a, b]);
    await publishOrders(nats.url, count, count);

    await eventually(allProcessed(2 * count), "every order processed after the restart", DEADLINE_MS);
    expect([...processedIds(yaml)].sort((x, y) => x - y)).toEqual(range(2 * count));
    // Acks lost with the broker bring their orders back once ackWaitMs has passed, possibly after every id
    // was seen: wait until the durable has handed out and had acked everything before stopping.
    await eventually(durableSettled, "the durable has nothing left to deliver or have acked", DEADLINE_MS);
    const handledTwice = processedLines(yaml).length - 2 * count;
    expect(await a.metric("mongoose_nats_redelivered_total") + await b.metric("mongoose_nats_redelivered_total")).toBeGreaterThanOrEqual(handledTwice);
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
    expect(await brokerState()).toEqual({ left: { pending: 0, unacked: 0 }, fills: 2 * count });
  }, TEST_TIMEOUT_MS);
});
