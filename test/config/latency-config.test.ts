import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../src/config/plan.ts";
import { yamlProblems } from "../helpers.ts";

describe("latency configuration (latency:)", () => {
  it("records one event in 64 by default, and takes enabled and sampleEvery", () => {
    expect(buildPlan({}).latency).toEqual({ enabled: true, sampleEvery: 64 });
    expect(buildPlan({ latency: { sampleEvery: 1 } }).latency).toEqual({ enabled: true, sampleEvery: 1 });
    expect(buildPlan({ latency: { enabled: false } }).latency).toEqual({ enabled: false, sampleEvery: 64 });
  });

  it("rejects unknown keys and bad values, located in the YAML", () => {
    expect(yamlProblems("latency:\n  sampleEvry: 8\n")).toEqual([expect.stringMatching(/^app\.yaml:2:3 latency\.sampleEvry: unknown key/)]);
    expect(yamlProblems("latency:\n  sampleEvery: 0\n")).toEqual(["app.yaml:2:16 latency.sampleEvery: must be ≥ 1, got 0"]);
    expect(yamlProblems("latency:\n  sampleEvery: 2.5\n")).toEqual(["app.yaml:2:16 latency.sampleEvery: must be an integer, got 2.5"]);
    expect(yamlProblems("latency:\n  enabled: sometimes\n")).toEqual([expect.stringMatching(/^app\.yaml:2:12 latency\.enabled: .*boolean/)]);
  });
});
