import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../src/config/plan.ts";
import { parseYamlConfig } from "../../src/config/yaml-loader.ts";
import { configProblems } from "../helpers.ts";

const HANDLERS = `eventHandlers:
  - agentName: processor
    eventHandlers:
      pnl: { handler: ./pnl.ts }
      risk: { handler: ./risk.ts }
`;

function load(text: string) {
  const loaded = parseYamlConfig(HANDLERS + text, "app.yaml", "/srv/app");
  return buildPlan(loaded.config, { baseDir: loaded.baseDir, locate: loaded.locate });
}

/** The problems a YAML text (after two handlers, pnl and risk) produces, loading and then planning it. */
const problemsOf = (text: string) => configProblems(() => load(text));

describe("journal configuration (journal:)", () => {
  it("is off without the key, and defaults dir, handlers, rollBytes and retainFiles", () => {
    expect(load("").journal).toBeUndefined();
    expect(load("journal: {}\n").journal).toEqual({ dir: "/srv/app/journal", handlers: "all", rollBytes: 64 * 1024 * 1024, retainFiles: 10 });
    expect(load("journal: { dir: /data/j, handlers: [risk], rollBytes: 4096, retainFiles: 0 }\n").journal).toEqual({ dir: "/data/j", handlers: ["risk"], rollBytes: 4096, retainFiles: 0 });
    expect(load("journal: { dir: ../j }\n").journal?.dir).toBe("/srv/j");
  });

  it("rejects an unknown handler name, unknown keys and bad sizes, located in the YAML", () => {
    expect(problemsOf("journal:\n  handlers: [pnl, pnk]\n")).toEqual(['app.yaml:7:19 journal.handlers[1]: "pnk" names no handler (handlers: pnl, risk)']);
    expect(problemsOf("journal:\n  handlers: some\n")).toEqual([expect.stringMatching(/^app\.yaml:7:13 journal\.handlers: expected "all" or a list of handler names/)]);
    expect(problemsOf("journal:\n  rollBytes: 100\n")).toEqual(["app.yaml:7:14 journal.rollBytes: must be ≥ 4096, got 100"]);
    expect(problemsOf("journal:\n  rollBytes: 5000.5\n")).toEqual(["app.yaml:7:14 journal.rollBytes: must be an integer, got 5000.5"]);
    expect(problemsOf("journal:\n  retainFiles: -1\n")).toEqual(["app.yaml:7:16 journal.retainFiles: must be ≥ 0 (0 keeps all), got -1"]);
    expect(problemsOf("journal:\n  dir: ''\n")).toEqual([expect.stringMatching(/^app\.yaml:7:8 journal\.dir: must not be empty/)]);
    expect(problemsOf("journal:\n  rolBytes: 4096\n")).toEqual([expect.stringMatching(/^app\.yaml:7:3 journal\.rolBytes: unknown key/)]);
    expect(problemsOf("journal: yes\n")).toEqual([expect.stringMatching(/^app\.yaml:6:10 journal: expected Object/)]);
  });

  it("refuses to journal a handler whose name cannot be a folder", () => {
    expect(configProblems(() => buildPlan({ eventHandlers: [{ agentName: "p", eventHandlers: { "a/b": { handler: "./x.ts" } } }], journal: {} }))).toEqual([
      'journal.handlers: handler "a/b" cannot be journaled: its name becomes a folder, so it may not contain / or \\ or be . or ..',
    ]);
    expect(buildPlan({ eventHandlers: [{ agentName: "p", eventHandlers: { "a/b": { handler: "./x.ts" }, ok: { handler: "./x.ts" } } }], journal: { handlers: ["ok"] } }).journal?.handlers).toEqual(["ok"]);
  });
});
