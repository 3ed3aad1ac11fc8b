import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** Handler files the cases refer to: one good, the rest broken in one way each. */
const HANDLER_FILES: Record<string, string> = {
  "ok.ts": `import type { EventMeta, HandlerContext } from "mongoose-server";
export default class Forward {
  private ctx!: HandlerContext;
  start(ctx: HandlerContext) { this.ctx = ctx; }
  onEvent(event: unknown, _meta: EventMeta) { this.ctx.sink("out").accept(event); }
}
`,
  "syntax.ts": "export default class { onEvent( {\n",
  "no-on-event.ts": "export default class Pricer { handle() {} }\n",
  "throws.ts": `throw new Error("connection string missing");\n`,
  "number.ts": "export default 42;\n",
};

/**
 * [what is wrong, app.yaml, the line expected on stderr]. Every case must exit 2 before anything starts.
 * Lines are `file:line:col path: expected …, got …`.
 */
const CASES: [string, string, string][] = [
  // wrong types
  ["idle strategy not a name", "idleStrategy: 5\n", `app.yaml:1:15 idleStrategy: expected one of busySpin, noOp, yielding, backoff, sleeping, blocking or {type: …}, got 5`],
  ["boolean given as text", "eventFeeds:\n  - name: in\n    type: memory\n    broadcast: \"yes\"\n", `app.yaml:4:16 eventFeeds[0].broadcast: expected boolean, got "yes"`],
  ["period given as a word", "eventFeeds:\n  - name: beat\n    type: interval\n    periodMs: fast\n", `app.yaml:4:15 eventFeeds[0].periodMs: expected number, got "fast"`],
  ["agentThreads not a list", "agentThreads:\n  agentName: a\n", `app.yaml:2:3 agentThreads: expected Array, got Object`],
  ["handlers given as a list", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      - handler: ./ok.ts\n", `app.yaml:4:7 eventHandlers[0].eventHandlers: expected a map of handler names to {handler, configMap, logLevel, retry, circuitBreaker, onFull}`],
  ["configMap not a map", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      h:\n        handler: ./ok.ts\n        configMap: [1, 2]\n", `app.yaml:6:20 eventHandlers[0].eventHandlers.h.configMap: expected a map of keys to values`],
  ["fractional core id", "agentThreads:\n  - agentName: a\n    coreId: 1.5\n", `app.yaml:3:13 agentThreads[0].coreId: must be an integer, got 1.5`],
  ["zero cache limit", "eventFeeds:\n  - name: in\n    type: memory\n    cacheLimit: 0\n", `app.yaml:4:17 eventFeeds[0].cacheLimit: must be ≥ 1, got 0`],
  // unknown keys
  ["unknown top-level key", "eventFeed: []\n", `app.yaml:1:1 eventFeed: unknown key`],
  ["unknown feed key", "eventFeeds:\n  - name: in\n    type: memory\n    brodcast: true\n", `app.yaml:4:5 eventFeeds[0].brodcast: unknown key`],
  ["unknown handler key", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      h:\n        handlr: ./ok.ts\n", `app.yaml:5:9 eventHandlers[0].eventHandlers.h.handlr: unknown key`],
  ["unknown idle strategy parameter", "idleStrategy: {type: sleeping, sleepMillis: 5}\n", `app.yaml:1:32 idleStrategy.sleepMillis: unknown key`],
  ["unknown idle strategy type", "agentThreads:\n  - agentName: a\n    idleStrategy: {type: spin}\n", `app.yaml:3:26 agentThreads[0].idleStrategy.type: expected one of busySpin, noOp, yielding, backoff, sleeping, blocking, got "spin"`],
  // bad enum values
  ["misspelt read strategy", "eventFeeds:\n  - name: in\n    type: file\n    filename: in.txt\n    readStrategy: LATESTT\n", `app.yaml:5:19 eventFeeds[0].readStrategy: expected one of COMMITTED, COMMITED, EARLIEST, LATEST, ONCE_EARLIEST, ONCE_LATEST, got "LATESTT"`],
  ["unknown feed type", "eventFeeds:\n  - name: in\n    type: kafka\n", `app.yaml:3:11 eventFeeds[0].type: feed type must be one of memory, file, interval, nats, module, got "kafka"`],
  ["unknown idle strategy", "idleStrategy: spinny\n", `app.yaml:1:15 idleStrategy: expected one of busySpin, noOp, yielding, backoff, sleeping, blocking or {type: …}, got "spinny"`],
  ["unknown log level", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      h:\n        handler: ./ok.ts\n        logLevel: verbose\n", `app.yaml:6:19 eventHandlers[0].eventHandlers.h.logLevel: expected one of debug, info, warn, error, silent, got "verbose"`],
  ["unknown fan-out policy", "eventSinks:\n  - name: a\n    type: console\n  - name: all\n    type: fanout\n    targets: [a]\n    failurePolicy: IGNORE\n", `app.yaml:7:20 eventSinks[1].failurePolicy: expected one of CONTINUE, FAIL_FAST, RETRY_THEN_DROP, got "IGNORE"`],
  // missing required fields
  ["file feed without a filename", "eventFeeds:\n  - name: in\n    type: file\n", `app.yaml:2:5 eventFeeds[0].filename: missing (required)`],
  ["feed without a name", "eventFeeds:\n  - type: memory\n", `app.yaml:2:5 eventFeeds[0].name: missing (required)`],
  ["handler entry without a handler", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      h:\n        configMap: {}\n", `app.yaml:5:9 eventHandlers[0].eventHandlers.h.handler: missing (required)`],
  ["handler group without an agent name", "eventHandlers:\n  - eventHandlers:\n      h:\n        handler: ./ok.ts\n", `app.yaml:2:5 eventHandlers[0].agentName: missing (required)`],
  // duplicate names
  ["two feeds with one name", "eventFeeds:\n  - name: in\n    type: memory\n  - name: in\n    type: memory\n", `app.yaml:4:11 eventFeeds[1].name: duplicate feed name "in" (feeds and pipes share one namespace)`],
  ["two sinks with one name", "eventSinks:\n  - name: out\n    type: console\n  - name: out\n    type: memory\n", `app.yaml:4:11 eventSinks[1].name: duplicate sink name "out" (sinks and pipe sinks share one namespace)`],
  ["two handlers with one name on an agent", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      h:\n        handler: ./ok.ts\n      h:\n        handler: ./ok.ts\n", `app.yaml:6:7 YAML syntax: Map keys must be unique`],
  ["an agent listed twice", "eventHandlers:\n  - agentName: a\n    eventHandlers: {h: {handler: ./ok.ts}}\n  - agentName: a\n    eventHandlers: {g: {handler: ./ok.ts}}\n", `app.yaml:4:16 eventHandlers[1].agentName: agent "a" is listed more than once (put all its handlers in one entry)`],
  ["a pipe named like a feed", "eventFeeds:\n  - name: p\n    type: memory\npipes:\n  - name: p\n", `app.yaml:5:11 pipes[0].name: duplicate feed name "p" (feeds and pipes share one namespace)`],
  // dangling references
  ["fan-out to a missing sink", "eventSinks:\n  - name: all\n    type: fanout\n    targets: [ghost]\n", `app.yaml:4:15 eventSinks[0].targets[0]: "ghost" names no sink (sinks: all)`],
  ["dead letters to a missing sink", "deadLetter: nowhere\n", `app.yaml:1:13 deadLetter: "nowhere" names no sink (sinks: none)`],
  ["agentThreads naming no agent", "agentThreads:\n  - agentName: ghost\n", `app.yaml:2:16 agentThreads[0].agentName: "ghost" names no agent (known: none)`],
  // environment variables
  ["unset environment variable", "eventSinks:\n  - name: out\n    type: file\n    filename: ${MONGOOSE_TEST_UNSET_DIR}/out.log\n", `app.yaml:4:15 eventSinks[0].filename: environment variable MONGOOSE_TEST_UNSET_DIR is not set (write \${MONGOOSE_TEST_UNSET_DIR:-default} to give a default)`],
  // YAML syntax
  ["unclosed flow sequence", "eventSinks:\n  - name: all\n    type: fanout\n    targets: [a, b\n", `app.yaml:5:1 YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]`],
  ["tab indentation", "eventFeeds:\n\t- name: in\n", `app.yaml:2:1 YAML syntax: `],
  ["unknown anchor", "eventFeeds:\n  - <<: *common\n    name: in\n", `app.yaml:2:9 YAML syntax: unknown anchor *common (define it with &common before use)`],
  // handler and module files
  ["handler file missing", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      pnl:\n        handler: ./pnl.ts\n", `app.yaml:5:18 eventHandlers[0].eventHandlers.pnl.handler: ./pnl.ts: file not found: `],
  ["handler with a syntax error", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      pnl:\n        handler: ./syntax.ts\n", `app.yaml:5:18 eventHandlers[0].eventHandlers.pnl.handler: ./syntax.ts: syntax error at `],
  ["handler export missing", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      pnl:\n        handler: ./ok.ts#Pnl\n", `app.yaml:5:18 eventHandlers[0].eventHandlers.pnl.handler: ./ok.ts: the module has no export "Pnl" (its exports: default)`],
  ["handler without onEvent", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      pnl:\n        handler: ./no-on-event.ts\n", `app.yaml:5:18 eventHandlers[0].eventHandlers.pnl.handler: ./no-on-event.ts: the export is not a handler: class Pricer has no onEvent method`],
  ["handler module throwing on load", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      pnl:\n        handler: ./throws.ts\n", `app.yaml:5:18 eventHandlers[0].eventHandlers.pnl.handler: ./throws.ts: loading the module threw: connection string missing`],
  ["handler module exporting a number", "eventHandlers:\n  - agentName: a\n    eventHandlers:\n      pnl:\n        handler: ./number.ts\n", `app.yaml:5:18 eventHandlers[0].eventHandlers.pnl.handler: ./number.ts: the export is not a handler: it is a number (expected a class, a factory or an object with onEvent)`],
  ["value mapper class without map", "eventFeeds:\n  - name: in\n    type: memory\n    valueMapper: ./no-on-event.ts#default\n", `app.yaml:4:18 eventFeeds[0].valueMapper: ./no-on-event.ts: the export is not a value mapper: class Pricer has no map method (expected a class, a factory or an object with map)`],
  ["value mapper file missing", "eventFeeds:\n  - name: in\n    type: memory\n    valueMapper: ./parse-order.ts\n", `app.yaml:4:18 eventFeeds[0].valueMapper: ./parse-order.ts: file not found: `],
  ["feed plugin file missing", "eventFeeds:\n  - name: in\n    type: module\n    module: ./kafka-feed.ts\n", `app.yaml:4:13 eventFeeds[0].module: ./kafka-feed.ts: file not found: `],
  // fixed-layout event types and batching
  ["unknown field type", "eventTypes:\n  Tick: {px: float}\n", `app.yaml:2:14 eventTypes.Tick.px: unknown field type "float" (expected one of f64, i64, u64, f32, i32, u32, i16, u16, i8, u8, bool, ascii(N), utf8(N))`],
  ["string field without room", "eventTypes:\n  Tick: {sym: ascii(0)}\n", `app.yaml:2:15 eventTypes.Tick.sym: ascii(0): the capacity must be 1..255 bytes`],
  ["field named like a flyweight method", "eventTypes:\n  Tick: {wrap: f64}\n", `app.yaml:2:9 eventTypes.Tick: Tick.wrap: the name is taken by a flyweight method or property`],
  ["event type fields as a list", "eventTypes:\n  Tick: [px]\n", `app.yaml:2:9 eventTypes.Tick: expected a map of field names to field types (f64, i32, ascii(8), …)`],
  ["feed naming no event type", "eventTypes:\n  Tick: {px: f64}\neventFeeds:\n  - name: in\n    type: memory\n    eventType: Quote\n", `app.yaml:6:16 eventFeeds[0].eventType: "Quote" names no event type (eventTypes: Tick)`],
  ["zero batch size", "agentThreads:\n  - agentName: a\n    batchSize: 0\n", `app.yaml:3:16 agentThreads[0].batchSize: must be ≥ 1, got 0`],
  ["heap bound too small", "agentThreads:\n  - agentName: a\n    maxHeapMb: 4\n", `app.yaml:3:16 agentThreads[0].maxHeapMb: must be ≥ 16 (an agent needs about 8 MB to boot), got 4`],
  ["heap bound with a unit", "agentThreads:\n  - agentName: a\n    maxHeapMb: 64MB\n", `app.yaml:3:16 agentThreads[0].maxHeapMb: expected number, got "64MB"`],
];

const folder = tempDir("mongoose-config-errors-");
afterAll(() => folder.cleanup());
for (const [name, text] of Object.entries(HANDLER_FILES)) writeFileSync(folder.path(name), text);

/** Runs `mongoose run` on a configuration in its own file; returns the exit code and stderr. */
async function runConfig(label: string, yaml: string) {
  const file = folder.path(`${label.replaceAll(/\W+/g, "-")}.yaml`);
  writeFileSync(file, yaml);
  const { code, stdout, stderr } = await runProgram(runtimeCommand(MAIN, ["run", file]));
  return { code, stdout, stderr: stderr.replaceAll(/^\S+\.yaml:/gm, "app.yaml:").replaceAll(/^  - \S+\.yaml:/gm, "  - app.yaml:") };
}

describe("invalid configurations: exit 2, located, nothing started", () => {
  it(`has at least 30 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(30));
  for (const [label, yaml, expected] of CASES) {
    it(label, async () => {
      const { code, stdout, stderr } = await runConfig(label, yaml);
      expect(stderr).toContain(`  - ${expected}`);
      expect(stderr.split("\n")[0]).toBe("invalid configuration:");
      expect(stderr).not.toContain("server running");
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stdout).toBe("");
      expect(code).toBe(2);
    });
  }
});

describe("a configuration with problems", () => {
  it("reports them all at once, starts no agent and writes no file", async () => {
    writeFileSync(folder.path("in.txt"), "a\nb\n");
    const yaml = `eventFeeds:
  - name: in
    type: file
    filename: in.txt
    readStrategy: EARLIEST
eventSinks:
  - name: out
    type: file
    filename: out/result.log
eventHandlers:
  - agentName: worker
    eventHandlers:
      forward:
        handler: ./ok.ts
      pnl:
        handler: ./pnl.ts
      risk:
        handler: ./no-on-event.ts
        logLevel: loud
`;
    const { code, stderr } = await runConfig("several problems", yaml);
    const lines = stderr.trim().split("\n");
    expect(lines[0]).toBe("invalid configuration:");
    expect(lines[1]).toBe(`  - app.yaml:16:18 eventHandlers[0].eventHandlers.pnl.handler: ./pnl.ts: file not found: ${folder.path("pnl.ts")}`);
    expect(lines[2]).toContain("  - app.yaml:18:18 eventHandlers[0].eventHandlers.risk.handler: ./no-on-event.ts: the export is not a handler");
    expect(lines[3]).toBe(`  - app.yaml:19:19 eventHandlers[0].eventHandlers.risk.logLevel: expected one of debug, info, warn, error, silent, got "loud"`);
    expect(lines.length).toBe(4);
    expect(code).toBe(2);
    expect(existsSync(folder.path("out"))).toBe(false);
  });
});
