import { afterAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const PLUGINS = fileURLToPath(new URL("../../config/examples/plugins/", import.meta.url));
const folder = tempDir("mongoose-validate-");
afterAll(() => folder.cleanup());

writeFileSync(folder.path("forward.ts"), `import type { EventMeta, HandlerContext } from "mongoose-server";
export class Forward {
  private ctx!: HandlerContext;
  start(ctx: HandlerContext) { this.ctx = ctx; }
  onEvent(event: unknown, _meta: EventMeta) { this.ctx.sink("audit").accept(event); }
}
`);

/** Every key of the contract that this version runs, most of them away from their defaults. */
const EVERY_KEY = `idleStrategy: {type: backoff, spinNanos: 1000, yieldNanos: 2000, minParkNanos: 1000, maxParkNanos: 500000}
agentThreads:
  - agentName: pricing
    idleStrategy: busySpin
    coreId: 1
    batchSize: 64
  - agentName: io-agent
    idleStrategy: {type: sleeping, sleepNanos: 100000}
eventFeeds:
  - name: prices
    type: file
    filename: \${MONGOOSE_TEST_DATA:-data}/prices.csv
    readStrategy: ONCE_EARLIEST
    pollMillis: 5
    broadcast: true
    wrapWithNamedEvent: true
    cacheEventLog: true
    cacheLimit: 500
    valueMapper: json
  - name: orders
    type: memory
    eventType: Order
  - name: beat
    type: interval
    periodMs: 250
    agentName: timer
    idleStrategy: blocking
  - name: walk
    type: module
    module: ${PLUGINS}price-walk-feed.ts
    config: {symbols: [AAPL], count: 3}
eventSinks:
  - name: pnl
    type: file
    filename: out/pnl.log
    fsync: true
    valueMapper: string
  - name: screen
    type: console
  - name: audit
    type: memory
  - name: both
    type: fanout
    targets: [audit, screen]
    failurePolicy: RETRY_THEN_DROP
    retryAttempts: 2
    circuitOpenThreshold: 5
    circuitOpenMillis: 1000
  - name: csv
    type: module
    module: ${PLUGINS}csv-sink.ts
    agentName: writer
    config: {path: out/averages.csv}
eventHandlers:
  - agentName: pricing
    eventHandlers:
      pnl:
        handler: ./forward.ts#Forward
        configMap: {currency: USD, limits: [1, 2]}
        logLevel: debug
  - agentName: risk
    idleStrategy: yielding
    eventHandlers:
      limits:
        handler: ./forward.ts#Forward
pipes:
  - name: signals
    sinkName: signals-in
    broadcast: false
    wrapWithNamedEvent: true
    cacheEventLog: true
    cacheLimit: 10
    valueMapper: json
    eventType: Signal
eventTypes:
  Order: {px: f64, qty: i32, sym: ascii(8)}
  Signal: {strength: f32, note: utf8(32)}
deadLetter: audit
services: []
latency: {enabled: true, sampleEvery: 16}
admin: false
`;

describe("mongoose validate", () => {
  it("accepts a configuration using every key and prints its effective configuration with defaults applied", async () => {
    writeFileSync(folder.path("every-key.yaml"), EVERY_KEY);
    const summary = await runProgram(runtimeCommand(MAIN, ["validate", folder.path("every-key.yaml")]));
    expect(summary.stdout).toBe("every-key.yaml: valid (5 feeds, 6 sinks, 5 worker agents)\n");
    expect(summary.code).toBe(0);

    const printed = await runProgram(runtimeCommand(MAIN, ["validate", folder.path("every-key.yaml"), "--print"]));
    expect(printed.code).toBe(0);
    const feedDefaults = { broadcast: false, wrapWithNamedEvent: false, cacheEventLog: false, cacheLimit: 100000 };
    expect(parse(printed.stdout)).toEqual({
      idleStrategy: { type: "backoff", spinNanos: 1000, yieldNanos: 2000, minParkNanos: 1000, maxParkNanos: 500000 },
      agentThreads: [
        { agentName: "pricing", idleStrategy: "busySpin", coreId: 1, batchSize: 64 },
        { agentName: "io-agent", idleStrategy: { type: "sleeping", sleepNanos: 100000 } },
      ],
      eventFeeds: [
        { name: "prices", type: "file", filename: "data/prices.csv", readStrategy: "ONCE_EARLIEST", pollMillis: 5, broadcast: true, wrapWithNamedEvent: true, cacheEventLog: true, cacheLimit: 500, valueMapper: "json" },
        { name: "orders", type: "memory", eventType: "Order", ...feedDefaults },
        { name: "beat", type: "interval", periodMs: 250, agentName: "timer", idleStrategy: "blocking", ...feedDefaults },
        { name: "walk", type: "module", module: `${PLUGINS}price-walk-feed.ts`, config: { symbols: ["AAPL"], count: 3 }, ...feedDefaults },
      ],
      eventSinks: [
        { name: "pnl", type: "file", filename: "out/pnl.log", fsync: true, valueMapper: "string" },
        { name: "screen", type: "console" },
        { name: "audit", type: "memory" },
        { name: "both", type: "fanout", targets: ["audit", "screen"], failurePolicy: "RETRY_THEN_DROP", retryAttempts: 2, circuitOpenThreshold: 5, circuitOpenMillis: 1000 },
        { name: "csv", type: "module", module: `${PLUGINS}csv-sink.ts`, agentName: "writer", config: { path: "out/averages.csv" } },
      ],
      eventHandlers: [
        { agentName: "pricing", eventHandlers: { pnl: { handler: "./forward.ts#Forward", configMap: { currency: "USD", limits: [1, 2] }, logLevel: "debug" } } },
        { agentName: "risk", idleStrategy: "yielding", eventHandlers: { limits: { handler: "./forward.ts#Forward", configMap: {} } } },
      ],
      pipes: [{ name: "signals", sinkName: "signals-in", broadcast: false, wrapWithNamedEvent: true, cacheEventLog: true, cacheLimit: 10, valueMapper: "json", eventType: "Signal" }],
      eventTypes: { Order: { px: "f64", qty: "i32", sym: "ascii(8)" }, Signal: { strength: "f32", note: "utf8(32)" } },
      deadLetter: "audit",
      services: [],
      latency: { enabled: true, sampleEvery: 16 },
      admin: false,
    });
  });

  it("applies every default to a minimal configuration", async () => {
    writeFileSync(folder.path("minimal.yaml"), "eventFeeds:\n  - {name: in, type: file, filename: in.txt}\n");
    const printed = await runProgram(runtimeCommand(MAIN, ["validate", "--print", folder.path("minimal.yaml")]));
    expect(parse(printed.stdout)).toEqual({
      idleStrategy: "backoff",
      agentThreads: [],
      eventFeeds: [{ name: "in", type: "file", filename: "in.txt", readStrategy: "COMMITTED", pollMillis: 10, broadcast: false, wrapWithNamedEvent: false, cacheEventLog: false, cacheLimit: 100000 }],
      eventSinks: [],
      eventHandlers: [],
      pipes: [],
      eventTypes: {},
      services: [],
      latency: { enabled: true, sampleEvery: 64 },
    });
    expect(printed.code).toBe(0);
  });

  it("exits 2 listing every problem, with nothing printed on stdout", async () => {
    writeFileSync(folder.path("broken.yaml"), EVERY_KEY.replace("readStrategy: ONCE_EARLIEST", "readStrategy: ONCE").replace("targets: [audit, screen]", "targets: [audit, printer]"));
    const { code, stdout, stderr } = await runProgram(runtimeCommand(MAIN, ["validate", "--print", folder.path("broken.yaml")]));
    expect(stderr).toContain(`broken.yaml:13:19 eventFeeds[0].readStrategy: expected one of COMMITTED, COMMITED, EARLIEST, LATEST, ONCE_EARLIEST, ONCE_LATEST, got "ONCE"`);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });
});
