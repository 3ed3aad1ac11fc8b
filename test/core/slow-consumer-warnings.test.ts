import { describe, expect, it } from "bun:test";
import { SlowConsumerWarnings } from "../../src/core/slow-consumer-warnings.ts";
import { createLogger } from "../../src/log/log.ts";
import { DROP_NEWEST } from "../../src/transport/full-ring-policy.ts";
import { createRingBuffer, RingProducer } from "../../src/transport/ring.ts";
import { WakeSignal } from "../../src/transport/wake-signal.ts";
import { eventually } from "../helpers.ts";

const backpressure = { awaitSpace: () => {} };

/** A 1 KiB dropNewest ring filled until it refuses, with a warner writing log lines into `lines`. */
function fullRing(windowMs: number) {
  const lines: string[] = [];
  const log = createLogger({ level: "info", format: "text" }, { feed: "in" }, (line) => lines.push(line));
  const producer = new RingProducer(createRingBuffer(1024, 1, DROP_NEWEST), new WakeSignal(new Int32Array(new SharedArrayBuffer(8)), 0));
  const warnings = new SlowConsumerWarnings(log, `feed "in"`, windowMs);
  producer.fullListener = () => warnings.full("risk", producer);
  const payload = new Uint8Array(8);
  let written = 0;
  const offer = () => producer.write(1, ++written, 0, payload, payload.length, backpressure);
  while (offer()) { /* fill */ }
  producer.publish();
  return { lines, offer, warnings, producer };
}

describe("slow-consumer warnings", () => {
  it("log one line per ring per window naming feed, agent, depth, capacity and policy", () => {
    const { lines, offer } = fullRing(60_000);
    for (let i = 0; i < 99; i++) expect(offer()).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ WARN  slow consumer: ring of feed "in" into agent "risk" is full \(onFull: dropNewest\) feed=in subscriber=risk depth=32 capacityBytes=1024 onFull=dropNewest suppressed=0$/);
  });

  it("sum up the full-ring events held back when the window ends, then warn afresh", async () => {
    const { lines, offer } = fullRing(300);
    const started = performance.now();
    for (let i = 0; i < 9; i++) offer(); // 1 logged (the filling loop's refusal), then these 9 held back
    if (performance.now() - started >= 300) return; // the machine was too slow to stay in one window: nothing to check here
    await eventually(() => lines.length === 2, "the window's summary", 5_000);
    expect(lines[1]).toMatch(/ WARN  slow consumer: ring of feed "in" into agent "risk" was full 9 more times in the last 0\.3 s \(onFull: dropNewest\) feed=in subscriber=risk depth=32 capacityBytes=1024 onFull=dropNewest suppressed=9$/);
    offer();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/is full \(onFull: dropNewest\) .*suppressed=0$/);
  });

  it("print no summary for a window with nothing held back", async () => {
    const { lines } = fullRing(50);
    const started = performance.now();
    await eventually(() => performance.now() - started > 200, "well past the window");
    expect(lines).toHaveLength(1);
  });

  it("log a disconnected subscriber as an error", () => {
    const { lines, warnings, producer } = fullRing(60_000);
    warnings.disconnected("risk", producer);
    expect(lines[1]).toMatch(/ ERROR slow consumer disconnected: feed "in" stops writing to agent "risk" .*subscriber=risk depth=32 capacityBytes=1024 onFull=disconnect$/);
  });
});
