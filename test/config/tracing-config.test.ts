import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../src/config/plan.ts";
import { yamlProblems } from "../helpers.ts";

describe("tracing configuration (tracing:)", () => {
  it("is off when absent; present, it propagates with defaults, and takes an OTLP endpoint", () => {
    expect(buildPlan({}).tracing).toBeUndefined();
    expect(buildPlan({ tracing: {} }).tracing).toEqual({ sampleRatio: 1, serviceName: "mongoose-server" });
    expect(buildPlan({ tracing: { otlpEndpoint: "http://127.0.0.1:4318/v1/traces", sampleRatio: 0.25, serviceName: "orders" } }).tracing)
      .toEqual({ otlpEndpoint: "http://127.0.0.1:4318/v1/traces", sampleRatio: 0.25, serviceName: "orders" });
  });

  it("rejects unknown keys, ratios outside 0..1 and endpoints that are not http(s) URLs, located in the YAML", () => {
    expect(yamlProblems("tracing:\n  endpoint: http://x\n")).toEqual([expect.stringMatching(/^app\.yaml:2:3 tracing\.endpoint: unknown key/)]);
    expect(yamlProblems("tracing:\n  sampleRatio: 1.5\n")).toEqual(["app.yaml:2:16 tracing.sampleRatio: must be between 0 and 1, got 1.5"]);
    expect(yamlProblems("tracing:\n  otlpEndpoint: collector:4318\n")).toEqual([expect.stringMatching(/^app\.yaml:2:17 tracing\.otlpEndpoint: must be an http/)]);
    expect(yamlProblems("tracing:\n  otlpEndpoint: not a url\n")).toEqual([expect.stringMatching(/^app\.yaml:2:17 tracing\.otlpEndpoint: must be an http/)]);
  });
});
