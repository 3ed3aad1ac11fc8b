import { describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { cycles, forbiddenImports, type ImportGraph, type Layer, layerViolations, readImportGraph } from "./import-graph.ts";

/**
 * The layers of `src/`, most basic first. A file may import its own layer and lower ranks only, so two
 * layers of the same rank (config and core) never import each other: both build on the plan's types.
 */
const LAYERS: Layer[] = [
  { path: "transport/", rank: 0 },
  { path: "time/", rank: 0 },
  { path: "log/", rank: 0 },
  { path: "runtime/types.ts", rank: 0 },
  { path: "entry-urls.ts", rank: 0 },
  { path: "agent/", rank: 1 },
  { path: "pinning/", rank: 1 },
  { path: "plan/", rank: 2 },
  { path: "runtime/", rank: 2 },
  { path: "modules/", rank: 3 },
  { path: "config/", rank: 4 },
  { path: "core/", rank: 4 },
  { path: "admin/", rank: 5 },
  { path: "server.ts", rank: 6 },
  { path: "demo/", rank: 6 },
  { path: "mod.ts", rank: 7 },
  { path: "bench/", rank: 7 },
  { path: "cli/", rank: 8 },
  { path: "main.ts", rank: 9 },
  { path: "workers/", rank: 9 },
];

const graph = readImportGraph(fileURLToPath(new URL("../../src", import.meta.url)));

/** Worker-side modules: what runs on an agent's thread. */
const AGENT_SIDE = ["core/host/", "core/feeds/", "core/sinks/", "core/pipes/"];

describe("source layers", () => {
  it("reads the whole source tree", () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(graph.get("core/host/agent-host.ts")).toContain("core/protocol.ts");
  });

  it("has no import cycles", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("imports only downward: config and core never import each other, nothing below imports what is above", () => {
    expect(layerViolations(graph, LAYERS)).toEqual([]);
  });

  it("keeps the supervisor away from the agent side, and the agent host away from the supervisor", () => {
    expect(forbiddenImports(graph, "core/supervisor/", AGENT_SIDE)).toEqual([]);
    expect(forbiddenImports(graph, "core/host/", ["core/supervisor/"])).toEqual([]);
    // Shared core modules serve both sides; only the launcher, which starts agents of either kind, knows both.
    const shared = [...graph.keys()].filter((file) => file.startsWith("core/") && file.split("/").length === 2);
    const sharedImports = shared.filter((file) => file !== "core/launcher.ts").flatMap((file) => forbiddenImports(graph, file, ["core/host/", "core/supervisor/"]));
    expect(sharedImports).toEqual([]);
    expect(forbiddenImports(graph, "server.ts", ["core/host/"])).toEqual([]);
  });

  it("hands the core its runtime: only entry points choose the adapter", () => {
    const choosers = [...graph].filter(([, targets]) => targets.includes("runtime/mod.ts")).map(([file]) => file).sort();
    expect(choosers.filter((file) => !/^(server\.ts|workers\/|cli\/|bench\/)/.test(file))).toEqual([]);
    // The adapters' folder holds adapters only.
    expect([...graph.keys()].filter((file) => file.startsWith("runtime/")).sort()).toEqual(["runtime/bun.ts", "runtime/deno.ts", "runtime/mod.ts", "runtime/types.ts", "runtime/worker-handle.ts"]);
  });

  it("would catch a cycle, an upward import, a sideways import and a file outside the layers", () => {
    const broken: ImportGraph = new Map([
      ["core/a.ts", ["core/b.ts", "config/plan.ts"]],
      ["core/b.ts", ["core/a.ts"]],
      ["transport/ring.ts", ["core/a.ts"]],
      ["config/plan.ts", []],
      ["stray.ts", []],
    ]);
    expect(cycles(broken)).toEqual([["core/a.ts", "core/b.ts"]]);
    expect(layerViolations(broken, LAYERS)).toEqual([
      "core/a.ts (core/, rank 4) imports config/plan.ts (config/, rank 4)",
      "transport/ring.ts (transport/, rank 0) imports core/a.ts (core/, rank 4)",
      "stray.ts belongs to no layer",
    ]);
    expect(forbiddenImports(new Map([["core/supervisor/s.ts", ["core/host/h.ts"]]]), "core/supervisor/", AGENT_SIDE)).toEqual(["core/supervisor/s.ts imports core/host/h.ts"]);
  });
});
