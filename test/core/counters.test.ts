import { describe, expect, it } from "bun:test";
import { allocateCounters, CounterBlock, counterLayout } from "../../src/core/counters.ts";

describe("counters", () => {
  it("lay out the same slots on both sides and read back what the owner wrote", () => {
    const subjects = { agent: "a", handlers: ["h1", "h2"], feeds: ["f"], sinks: ["s"] };
    const layout = counterLayout(subjects);
    const buffer = allocateCounters(layout);
    const writer = new CounterBlock(buffer, counterLayout(subjects));
    const reader = new CounterBlock(buffer, layout);
    writer.counter("handler_events_total", { handler: "h2" }).add(5);
    writer.counter("handler_events_total", { handler: "h2" }).inc();
    writer.counter("feed_published_total", { feed: "f" }).inc();
    const samples = reader.read();
    expect(samples.find((s) => s.name === "handler_events_total" && s.labels.handler === "h2")?.value).toBe(6);
    expect(samples.find((s) => s.name === "handler_events_total" && s.labels.handler === "h1")?.value).toBe(0);
    expect(samples.find((s) => s.name === "feed_published_total")).toMatchObject({ labels: { agent: "a", feed: "f" }, value: 1 });
    expect(new Set(samples.map((s) => s.name))).toEqual(new Set([
      "agent_duty_cycles_total", "agent_idle_cycles_total", "agent_cpu_seconds_total", "agent_decode_errors_total", "agent_sink_dropped_total", "tracing_export_failures_total", "dead_letter_total",
      "handler_events_total", "handler_errors_total",
      "handler_retries_total", "handler_retry_successes_total", "handler_retries_exhausted_total", "handler_circuit_rejected_total", "handler_circuit_state", "handler_paused_dropped_total",
      "feed_published_total", "feed_unrouted_total", "feed_dropped_total", "feed_mapper_dropped_total",
      "sink_written_total", "sink_errors_total", "sink_mapper_dropped_total", "sink_lost_total",
      "sink_circuit_rejected_total", "sink_circuit_state",
    ]));
  });

  it("refuses to hand out a counter that is not in the layout", () => {
    const layout = counterLayout({ agent: "a", handlers: [], feeds: [], sinks: [] });
    expect(() => new CounterBlock(allocateCounters(layout), layout).counter("handler_events_total", { handler: "x" })).toThrow(/no counter handler_events_total/);
  });
});
