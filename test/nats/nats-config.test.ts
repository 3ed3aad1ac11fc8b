import { describe, expect, it } from "bun:test";
import { buildPlan } from "../../src/config/plan.ts";
import { parseYamlConfig } from "../../src/config/yaml-loader.ts";
import { boot, yamlProblems } from "../helpers.ts";

describe("nats feed and sink configuration", () => {
  it("plans a feed and a sink with their defaults, one server as a list, file paths relative to the YAML", () => {
    const loaded = parseYamlConfig([
      "eventFeeds:",
      "  - {name: orders, type: nats, servers: nats://a:4222, subject: orders.>, credsFile: app.creds, tls: {caFile: ca.pem}}",
      "eventSinks:",
      "  - {name: fills, type: nats, agentName: nats-out, servers: [nats://a:4222, nats://b:4222], subject: \"fills.{symbol}\", msgId: \"{orderId}\"}",
    ].join("\n"), "app.yaml", "/srv/app");
    const plan = buildPlan(loaded.config, { baseDir: loaded.baseDir });
    const feed = plan.feeds.find((f) => f.name === "orders")!;
    expect(feed.host).toBe("io-agent");
    expect(feed.settings).toEqual({
      servers: ["nats://a:4222"],
      subject: "orders.>",
      credsFile: "/srv/app/app.creds",
      tls: { caFile: "/srv/app/ca.pem" },
      createStream: true,
      deliverPolicy: "all",
      ackWaitMs: 30_000,
      maxAckPending: 1024,
    });
    const sink = plan.sinks.find((s) => s.name === "fills")!;
    expect(sink.host).toBe("nats-out");
    expect(sink.settings).toEqual({ servers: ["nats://a:4222", "nats://b:4222"], subject: "fills.{symbol}", msgId: "{orderId}", jetstream: true });
  });

  it("accepts a start sequence or a start time as deliverPolicy", () => {
    for (const policy of ["{startSequence: 42}", "{startTime: \"2026-12-02T17:00:00Z\"}", "new", "last"]) {
      expect(yamlProblems(`eventFeeds: [{name: f, type: nats, servers: nats://a:4222, subject: s, deliverPolicy: ${policy}}]`)).toEqual([]);
    }
  });

  it("locates a missing subject or servers, a bad deliverPolicy and an unknown key by path", () => {
    expect(yamlProblems([
      "eventFeeds:",
      "  - {name: a, type: nats, servers: nats://a:4222}",
      "  - {name: b, type: nats, subject: s}",
      "  - {name: c, type: nats, servers: nats://a:4222, subject: s, deliverPolicy: oldest}",
      "  - {name: d, type: nats, servers: nats://a:4222, subject: s, deliverPolicy: {startSequence: 0}}",
      "  - {name: e, type: nats, servers: nats://a:4222, subject: s, deliverPolicy: {startTime: yesterday}}",
      "  - {name: f, type: nats, servers: [], subject: s, maxAckPending: 0}",
      "eventSinks:",
      "  - {name: g, type: nats, servers: nats://a:4222, subject: out, jetstrem: false}",
    ].join("\n"))).toEqual([
      "app.yaml:2:5 eventFeeds[0].subject: missing (required)",
      "app.yaml:3:5 eventFeeds[1].servers: missing (required)",
      'app.yaml:4:78 eventFeeds[2].deliverPolicy: expected one of all, new, last, {startSequence: N} or {startTime: ISO-8601 time}, got "oldest"',
      "app.yaml:5:94 eventFeeds[3].deliverPolicy.startSequence: must be ≥ 1, got 0",
      "app.yaml:6:90 eventFeeds[4].deliverPolicy.startTime: expected an ISO-8601 time, e.g. 2026-12-02T17:00:00Z",
      "app.yaml:7:36 eventFeeds[5].servers: needs at least one server",
      "app.yaml:7:67 eventFeeds[5].maxAckPending: must be ≥ 1, got 0",
      "app.yaml:9:65 eventSinks[0].jetstrem: unknown key",
    ]);
  });

  it("refuses a nats feed added at runtime, saying so", async () => {
    const server = await boot({ eventSinks: [{ name: "out", type: "memory" }] });
    try {
      await expect(server.addFeed({ name: "late", type: "nats", servers: "nats://127.0.0.1:4222", subject: "late" })).rejects.toThrow(
        "addFeed.type: a nats feed cannot be added at runtime: configure it at boot (eventFeeds)",
      );
    } finally {
      await server.stop();
    }
  });
});
