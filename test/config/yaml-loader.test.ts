import { describe, expect, it } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildPlan, validateConfig } from "../../src/config/plan.ts";
import { loadYamlConfig, parseYamlConfig } from "../../src/config/yaml-loader.ts";
import { yamlProblems } from "../helpers.ts";

/** The problems a YAML text produces, loading and then validating it. */
describe("YAML configuration loader", () => {
  it("names file, line, column, path, what was expected and what was found", () => {
    const text = `eventFeeds:
  - name: news
    type: file
    filename: news.txt
  - name: prices
    type: file
    filename: prices.txt
    readStrategy: LATESTT
`;
    expect(yamlProblems(text)).toEqual([
      `app.yaml:8:19 eventFeeds[1].readStrategy: expected one of COMMITTED, COMMITED, EARLIEST, LATEST, ONCE_EARLIEST, ONCE_LATEST, got "LATESTT"`,
    ]);
  });

  it("points at the key for unknown keys, at the entry for missing ones, and lists every problem in file order", () => {
    const text = `eventSinks:
  - name: out
    type: file
eventFeeds:
  - name: in
    type: memory
    brodcast: true
idleStrategy: spinny
`;
    expect(yamlProblems(text)).toEqual([
      "app.yaml:2:5 eventSinks[0].filename: missing (required)",
      "app.yaml:7:5 eventFeeds[0].brodcast: unknown key",
      `app.yaml:8:15 idleStrategy: expected one of busySpin, noOp, yielding, backoff, sleeping, blocking or {type: …}, got "spinny"`,
    ]);
  });

  it("locates problems inside flow collections", () => {
    expect(yamlProblems(`agentThreads: [{agentName: a, coreId: -1}]\n`)).toContain("app.yaml:1:39 agentThreads[0].coreId: must be ≥ 0, got -1");
  });

  it("replaces ${VAR} and ${VAR:-default} in string values, keeps $$ as $, and leaves keys alone", () => {
    const text = `eventSinks:
  - name: \${SINK_NAME}
    type: file
    filename: \${OUT_DIR:-/var/out}/\${SINK_NAME}.log
  - name: "cost-$$5-\${MISSING:-none}"
    type: console
`;
    const loaded = parseYamlConfig(text, "app.yaml", "/srv", { SINK_NAME: "pnl" });
    expect(loaded.config).toEqual({
      eventSinks: [
        { name: "pnl", type: "file", filename: "/var/out/pnl.log" },
        { name: "cost-$5-none", type: "console" },
      ],
    });
  });

  it("uses a :- default for an unset or empty variable and a - default for an unset one only, as the shell does", () => {
    const text = `eventFeeds:
  - name: beat
    type: interval
    periodMs: \${POLL:-25}
  - name: "x\${EMPTY-unused}y\${UNSET-fallback}\${EMPTY:-also}"
    type: memory
`;
    const effective = validateConfig(parseYamlConfig(text, "app.yaml", "/srv", { POLL: "", EMPTY: "" }).config);
    expect(effective.eventFeeds[0]).toMatchObject({ periodMs: 25 });
    expect(effective.eventFeeds[1].name).toBe("xyfallbackalso");
    expect(yamlProblems(`eventFeeds:\n  - name: beat\n    type: interval\n    periodMs: \${POLL-25}\n`, { POLL: "" })).toEqual([
      `app.yaml:4:15 eventFeeds[0].periodMs: expected number, got ""`,
    ]);
  });

  it("gives an unquoted lone variable the type its text has in YAML; quoting keeps a string", () => {
    const text = `eventFeeds:
  - name: beat
    type: interval
    periodMs: \${PERIOD}
    broadcast: \${BROADCAST:-true}
  - name: "\${PERIOD}"
    type: memory
`;
    const effective = validateConfig(parseYamlConfig(text, "app.yaml", "/srv", { PERIOD: "25" }).config);
    expect(effective.eventFeeds[0]).toMatchObject({ periodMs: 25, broadcast: true });
    expect(effective.eventFeeds[1].name).toBe("25");
  });

  it("reports every unset variable without a default, located", () => {
    const text = `eventSinks:
  - name: out
    type: file
    filename: \${OUT_DIR}/\${RUN_ID}.log
`;
    expect(yamlProblems(text)).toEqual([
      "app.yaml:4:15 eventSinks[0].filename: environment variable OUT_DIR is not set (write ${OUT_DIR:-default} to give a default)",
      "app.yaml:4:15 eventSinks[0].filename: environment variable RUN_ID is not set (write ${RUN_ID:-default} to give a default)",
    ]);
  });

  it("reports YAML syntax errors with their position, all of them", () => {
    const problems = yamlProblems(`eventFeeds:\n  - name: a\n    type: [memory\nidleStrategy: busySpin\nidleStrategy: noOp\n`);
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const problem of problems) expect(problem).toMatch(/^app\.yaml:\d+:\d+ YAML syntax: /);
    expect(yamlProblems(`a: 1\na: 2\n`)).toEqual(["app.yaml:2:1 YAML syntax: Map keys must be unique"]);
  });

  it("supports anchors and merge keys, with top-level x- keys as a home for shared settings", () => {
    const text = `x-file: &file
  type: file
  readStrategy: EARLIEST
eventFeeds:
  - <<: *file
    name: a
    filename: a.txt
  - <<: *file
    name: b
    filename: b.txt
    readStrategy: LATEST
`;
    expect(parseYamlConfig(text, "app.yaml", "/srv").config).toEqual({
      eventFeeds: [
        { type: "file", readStrategy: "EARLIEST", name: "a", filename: "a.txt" },
        { type: "file", readStrategy: "LATEST", name: "b", filename: "b.txt" },
      ],
    });
    expect(yamlProblems(`eventFeeds:\n  - <<: *nowhere\n    name: a\n`)[0]).toMatch(/^app\.yaml:2:\d+ YAML syntax: .*nowhere/);
  });

  it("treats an empty file as an empty configuration and rejects a top level that is not a map", () => {
    expect(yamlProblems("# nothing yet\n")).toEqual([]);
    expect(yamlProblems("- a\n- b\n")).toEqual(["app.yaml:1:1 (top level): expected a map of settings (eventFeeds, eventHandlers, …), got a list"]);
  });

  it("reads files relative to their folder and says when a file cannot be read", () => {
    const dir = mkdtempSync(join(tmpdir(), "mongoose-yaml-"));
    writeFileSync(join(dir, "app.yaml"), "eventFeeds: []\n");
    const loaded = loadYamlConfig(join(dir, "app.yaml"));
    expect(loaded).toMatchObject({ baseDir: dir, source: "app.yaml", config: { eventFeeds: [] } });
    expect(() => loadYamlConfig(join(dir, "missing.yaml"))).toThrow(/missing\.yaml: cannot read the configuration file \(ENOENT\)/);
  });

  it("refuses nesting deeper than 1000 levels before parsing it, and accepts deep nesting under the bound", () => {
    expect(yamlProblems(`x-deep: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`)).toEqual(["app.yaml:1:1009 YAML: flow collections nested deeper than 1000 levels"]);
    expect(yamlProblems(`x-deep: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`)).toEqual(["app.yaml:1:4009 YAML: flow collections nested deeper than 1000 levels"]);
    const block = Array.from({ length: 600 }, (_, level) => `${" ".repeat(level * 2)}k${level}:`).join("\n");
    expect(yamlProblems(`x-deep:\n${block} 1\n`)).toEqual(["app.yaml:503:1 YAML: block nesting deeper than 1000 columns of indentation"]);
    expect(yamlProblems(`x-deep: ${"[".repeat(500)}${"]".repeat(500)}\n`)).toEqual([]);
  }, 60_000);

  it("bounds alias expansion: a billion-laughs document fails with a message", () => {
    const bomb = ["a", "b", "c", "d", "e", "f", "g", "h", "i"].map((name, level, names) =>
      `x-${name}: &${name} [${Array(10).fill(level === 0 ? '"lol"' : `*${names[level - 1]}`).join(", ")}]`).join("\n");
    expect(yamlProblems(`${bomb}\neventFeeds: []\n`)).toEqual(["app.yaml: YAML: Excessive alias count indicates a resource exhaustion attack"]);
  });
});
