import { describe, expect, it } from "bun:test";
import { ParkingBackpressure } from "../../../src/agent/backpressure.ts";
import { AgentSignals } from "../../../src/agent/signals.ts";
import { buildPlan } from "../../../src/config/plan.ts";
import { agentCounterSubjects, CounterBlock, counterLayout } from "../../../src/core/counters.ts";
import type { HandlerContext } from "../../../src/core/handler-api.ts";
import { AgentHost } from "../../../src/core/host/agent-host.ts";
import type { AgentEvent } from "../../../src/core/protocol.ts";
import { ByteBuffer } from "../../../src/transport/byte-buffer.ts";
import { genericCodec } from "../../../src/transport/generic-codec.ts";
import { createRingBuffer, markProducerClosed, RingProducer } from "../../../src/transport/ring.ts";
import { agentBoot } from "../boot-message.ts";

/** Subscribes to `orders` in start; writes each event doubled to `out`, asking for the sink on first use. */
class Doubler {
  readonly received: unknown[] = [];
  private ctx!: HandlerContext;
  start(ctx: HandlerContext) {
    this.ctx = ctx;
    ctx.subscribe("orders");
  }
  onEvent(event: unknown) {
    this.received.push(event);
    this.ctx.sink("out").accept((event as number) * 2);
  }
}

const doubler = new Doubler();
const plan = buildPlan({
  eventFeeds: [{ name: "orders", type: "memory" }, { name: "ticks", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { doubler: { handler: doubler } } }],
}, { inline: true });

/** A producing end onto `ring`, writing generic-codec events. */
function producerOnto(ring: SharedArrayBuffer) {
  const producer = new RingProducer(ring, new AgentSignals(AgentSignals.allocate()).wake);
  const scratch = new ByteBuffer(64);
  const backpressure = new ParkingBackpressure(new AgentSignals(AgentSignals.allocate()), 10);
  let sequence = 0;
  return (value: unknown) => {
    const length = genericCodec.encode(value, scratch);
    producer.write(genericCodec.id, ++sequence, 0, scratch.bytes, length, backpressure);
    producer.publish();
  };
}

/** Runs duty cycles until `done()` or a generous deadline. */
function cycleUntil(host: AgentHost, done: () => boolean): void {
  const deadline = performance.now() + 5_000;
  while (!done() && performance.now() < deadline) host.doWork();
}

describe("agent host (on its own, without a supervisor)", () => {
  const feedId = plan.feeds.find((f) => f.name === "orders")!.id;
  const ticksId = plan.feeds.find((f) => f.name === "ticks")!.id;

  it("returns the rings a lifecycle step asked for in its reply, delivers what arrives on them, and sends later asks as one event", async () => {
    const events: AgentEvent[] = [];
    const ticks = createRingBuffer(1024, ticksId);
    const boot = agentBoot(plan, "a", [{ kind: "feedConsumer", feed: "ticks", ring: ticks }]);
    const counters = new CounterBlock(boot.counters, counterLayout(agentCounterSubjects(boot.plan, plan.feeds, plan.sinks)));
    const host = await AgentHost.create(boot, { emit: (event) => events.push(event), backpressure: new ParkingBackpressure(new AgentSignals(boot.signals), 10) });

    expect(await host.handle({ op: "lifecycle", phase: "init", role: "handlers" })).toEqual({ subscriptions: [], sinks: [] });
    expect(await host.handle({ op: "lifecycle", phase: "start", role: "handlers" })).toEqual({ subscriptions: [{ handler: "doubler", feed: "orders" }], sinks: [] });

    const orders = createRingBuffer(1024, feedId);
    await host.handle({ op: "attach", endpoints: [{ kind: "feedConsumer", feed: "orders", ring: orders }] });
    const offer = producerOnto(orders);
    offer(1);
    offer(2);
    producerOnto(ticks)(100); // the broadcast feed's ring came in the boot message
    cycleUntil(host, () => doubler.received.length === 3);
    expect(doubler.received.sort()).toEqual([1, 100, 2].sort());
    expect(counters.read().find((c) => c.name === "handler_events_total")?.value).toBe(3);

    // The first ctx.sink() came from onEvent, outside a lifecycle step: asked for in one event.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events.filter((e) => e.event === "wants")).toEqual([{ event: "wants", wants: { subscriptions: [], sinks: ["out"] } }]);
  });

  it("answers a drain only once its feed rings are closed and consumed, and status with the feeds it hosts", async () => {
    const supervisorBoot = agentBoot(plan, "supervisor");
    const feedHost = await AgentHost.create(supervisorBoot, { emit: () => {}, backpressure: new ParkingBackpressure(new AgentSignals(supervisorBoot.signals), 10) });
    expect((await feedHost.handle({ op: "status" })).map((s) => s.feed).sort()).toEqual(["orders", "ticks"]);

    const boot = agentBoot(plan, "a");
    const host = await AgentHost.create(boot, { emit: () => {}, backpressure: new ParkingBackpressure(new AgentSignals(boot.signals), 10) });
    const orders = createRingBuffer(1024, feedId);
    await host.handle({ op: "attach", endpoints: [{ kind: "feedConsumer", feed: "orders", ring: orders }] });
    producerOnto(orders)(7);
    let drained = false;
    const drain = host.handle({ op: "drain", role: "handlers" }).then(() => (drained = true));
    host.doWork();
    await Promise.resolve();
    expect(drained).toBe(false); // consumed, but its producer has not closed the ring
    markProducerClosed(orders);
    const deadline = performance.now() + 5_000;
    while (!drained && performance.now() < deadline) {
      host.doWork();
      await Promise.resolve();
    }
    await drain;
    expect(drained).toBe(true);
  });
});
