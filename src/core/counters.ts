/**
 * Counters in shared memory: each agent owns one block of float64 slots that only it writes (plain
 * stores, a few ns), and the supervisor reads them at any time without messaging. Aligned 8-byte stores
 * do not tear on x86-64 or ARM64; a reader may see a value a moment old, never a torn one.
 *
 * Both sides derive the same layout from the agent's plan, so no index table crosses threads.
 *
 * @module
 */
import type { AgentPlan, FeedPlan, SinkPlan } from "../plan/types.ts";
import { DEAD_LETTER_REASONS } from "./dead-letter-reasons.ts";

/** Description of one counter slot. */
export interface CounterSpec {
  /** Metric name without the `mongoose_` prefix, e.g. `handler_events_total`. */
  name: string;
  help: string;
  labels: Record<string, string>;
}

/** A counter value with its description, as read by the supervisor. */
export interface CounterSample extends CounterSpec {
  value: number;
}

/** What an agent hosts, as far as its counters are concerned. */
export interface CounterSubjects {
  agent: string;
  handlers: readonly string[];
  feeds: readonly string[];
  sinks: readonly string[];
  /** Fan-out sinks hosted here, with their targets. */
  fanouts?: readonly { sink: string; targets: readonly string[] }[];
  /** Every pipe of the server (any agent may write to one). */
  pipes?: readonly string[];
  /** The NATS feeds and sinks among `feeds` and `sinks` (they count their connection, acks and publishes). */
  natsFeeds?: readonly string[];
  natsSinks?: readonly string[];
}

/** The counter subjects of one agent of a plan. */
export function agentCounterSubjects(agent: AgentPlan, feeds: readonly FeedPlan[], sinks: readonly SinkPlan[]): CounterSubjects {
  return {
    agent: agent.name,
    handlers: agent.handlers.map((h) => h.name),
    feeds: agent.hostedFeeds,
    sinks: agent.hostedSinks,
    fanouts: sinks.filter((s) => s.type === "fanout" && agent.hostedSinks.includes(s.name))
      .map((s) => ({ sink: s.name, targets: s.settings.targets as string[] })),
    pipes: feeds.filter((f) => f.type === "pipe").map((f) => f.name),
    natsFeeds: feeds.filter((f) => f.type === "nats" && agent.hostedFeeds.includes(f.name)).map((f) => f.name),
    natsSinks: sinks.filter((s) => s.type === "nats" && agent.hostedSinks.includes(s.name)).map((s) => s.name),
  };
}


/** Builds the ordered counter layout of one agent. */
export function counterLayout(subjects: CounterSubjects): CounterSpec[] {
  const agent = { agent: subjects.agent };
  const specs: CounterSpec[] = [
    { name: "agent_duty_cycles_total", help: "Duty cycles run by the agent.", labels: agent },
    { name: "agent_idle_cycles_total", help: "Duty cycles that found no work.", labels: agent },
    { name: "agent_cpu_seconds_total", help: "CPU time of the worker agent's thread (Linux; 0 elsewhere and for inline agents).", labels: agent },
    { name: "agent_decode_errors_total", help: "Records that could not be decoded (corrupt or unknown codec).", labels: agent },
    { name: "agent_sink_dropped_total", help: "Values sent to sinks that could not be delivered (the sink's host was gone).", labels: agent },
    { name: "tracing_export_failures_total", help: "Failed exports of boundary spans to tracing.otlpEndpoint (the spans are dropped).", labels: agent },
  ];
  for (const reason of DEAD_LETTER_REASONS) {
    specs.push({ name: "dead_letter_total", help: "Events given up on, by reason.", labels: { ...agent, reason } });
  }
  return [...specs, ...componentCounterLayout(subjects)];
}

/** What a component registered at runtime counts: its own counters only, in a block of its own. */
export type ComponentCounterSubjects = Pick<CounterSubjects, "agent" | "handlers" | "feeds"> & Partial<CounterSubjects>;

/** One gauge family for NATS feeds and sinks alike, told apart by the `component` label. */
const NATS_CONNECTED_HELP = "1 while the NATS feed or sink is connected (and its stream and consumer are ready), else 0.";

/**
 * The counters of an agent's components without the agent's own: the layout of the separate block the
 * supervisor allocates for a handler or feed registered at runtime (an agent's block is fixed at boot).
 *
 * @example
 * ```ts
 * const layout = componentCounterLayout({ agent: "processor", handlers: ["late"], feeds: [] });
 * layout.map((spec) => spec.name); // ["handler_events_total", "handler_errors_total", "handler_retries_total", …]
 * ```
 */
export function componentCounterLayout(subjects: ComponentCounterSubjects): CounterSpec[] {
  const agent = { agent: subjects.agent };
  const specs: CounterSpec[] = [];
  for (const handler of subjects.handlers) {
    const labels = { ...agent, handler };
    specs.push(
      { name: "handler_events_total", help: "Events delivered to the handler.", labels },
      { name: "handler_errors_total", help: "Events and lifecycle calls on which the handler threw.", labels },
      { name: "handler_retries_total", help: "Calls of onEvent that retried a failed event (retry:).", labels },
      { name: "handler_retry_successes_total", help: "Failed events that a retry then handled.", labels },
      { name: "handler_retries_exhausted_total", help: "Failed events dead-lettered after their last attempt.", labels },
      { name: "handler_circuit_rejected_total", help: "Events not handed to the handler because its circuit was open (dead-lettered or held).", labels },
      { name: "handler_circuit_state", help: "The handler's circuit breaker: 0 closed (or none), 1 open, 2 half-open.", labels },
      { name: "handler_paused_dropped_total", help: "Events not delivered because the handler was paused with policy drop (handler.pause).", labels },
    );
  }
  for (const feed of subjects.feeds) {
    const labels = { ...agent, feed };
    specs.push(
      { name: "feed_published_total", help: "Events published by the feed.", labels },
      { name: "feed_unrouted_total", help: "Events published while no agent subscribed.", labels },
      { name: "feed_dropped_total", help: "Deliveries abandoned because the subscribing agent was gone.", labels },
      { name: "feed_mapper_dropped_total", help: "Events the feed's value mapper dropped (returned null).", labels },
    );
  }
  for (const sink of subjects.sinks ?? []) {
    const labels = { ...agent, sink };
    specs.push(
      { name: "sink_written_total", help: "Values accepted by the sink.", labels },
      { name: "sink_errors_total", help: "Values the sink failed to accept.", labels },
      { name: "sink_mapper_dropped_total", help: "Values the sink's value mapper dropped (returned null).", labels },
      { name: "sink_lost_total", help: "Values the sink declared lost for good (e.g. its writes failed).", labels },
      { name: "sink_circuit_rejected_total", help: "Values not handed to the sink because its circuit was open (dead-lettered).", labels },
      { name: "sink_circuit_state", help: "The sink's circuit breaker: 0 closed (or none), 1 open, 2 half-open.", labels },
    );
  }
  for (const pipe of subjects.pipes ?? []) {
    specs.push(
      { name: "pipe_mapper_dropped_total", help: "Values this agent wrote to the pipe that its value mapper dropped.", labels: { ...agent, pipe } },
      { name: "pipe_unrouted_total", help: "Values this agent wrote to the pipe while nobody subscribed to it.", labels: { ...agent, pipe } },
    );
  }
  for (const feed of subjects.natsFeeds ?? []) {
    const labels = { ...agent, feed };
    specs.push(
      { name: "nats_connected", help: NATS_CONNECTED_HELP, labels: { ...agent, component: feed } },
      { name: "nats_pending", help: "Messages the NATS feed fetched and has not acked yet.", labels },
      { name: "nats_acked_total", help: "Messages the NATS feed acked (handled, outputs written).", labels },
      { name: "nats_redelivered_total", help: "Messages the broker delivered more than once.", labels },
    );
  }
  for (const sink of subjects.natsSinks ?? []) {
    const labels = { ...agent, sink };
    specs.push(
      { name: "nats_connected", help: NATS_CONNECTED_HELP, labels: { ...agent, component: sink } },
      { name: "nats_published_total", help: "Values the NATS sink published (for JetStream: acknowledged by the stream).", labels },
      { name: "nats_publish_failures_total", help: "Failed publish attempts of the NATS sink (each is retried).", labels },
    );
  }
  for (const fanout of subjects.fanouts ?? []) {
    for (const target of fanout.targets) {
      const labels = { ...agent, sink: fanout.sink, target };
      specs.push(
        { name: "fanout_delivered_total", help: "Values a fan-out delivered to a target.", labels },
        { name: "fanout_failures_total", help: "Failed attempts to deliver to a target.", labels },
        { name: "fanout_skipped_total", help: "Values not offered to a target because its circuit was open.", labels },
        { name: "fanout_circuit_open", help: "1 while the target's circuit breaker is open.", labels },
      );
    }
  }
  return specs;
}

/** Allocates the shared memory for a layout. */
export function allocateCounters(layout: readonly CounterSpec[]): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(8, layout.length * 8));
}

/** One counter slot; written only by its owning agent. */
export class Counter {
  constructor(private readonly values: Float64Array, private readonly index: number) {}
  inc(): void {
    this.values[this.index]++;
  }
  add(amount: number): void {
    this.values[this.index] += amount;
  }
  /** For gauges. */
  set(value: number): void {
    this.values[this.index] = value;
  }
  get value(): number {
    return this.values[this.index];
  }
}

/**
 * An agent's counters, looked up by name and subject.
 *
 * @example
 * ```ts
 * const layout = counterLayout({ agent: "a", handlers: ["h"], feeds: [], sinks: [] });
 * const counters = new CounterBlock(allocateCounters(layout), layout);
 * counters.counter("handler_events_total", { handler: "h" }).inc();
 * counters.read()[3].value; // 1
 * ```
 */
export class CounterBlock {
  private readonly values: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer, readonly layout: readonly CounterSpec[]) {
    this.values = new Float64Array(buffer);
  }

  /** The counter named `name` whose labels include `subject` (e.g. `{ handler: "pnl" }`). */
  counter(name: string, subject: Record<string, string> = {}): Counter {
    const index = this.layout.findIndex((spec) =>
      spec.name === name && Object.entries(subject).every(([key, value]) => spec.labels[key] === value)
    );
    if (index < 0) throw new Error(`no counter ${name} for ${JSON.stringify(subject)}`);
    return new Counter(this.values, index);
  }

  /** Current values with their descriptions. */
  read(): CounterSample[] {
    return this.layout.map((spec, index) => ({ ...spec, value: this.values[index] }));
  }
}
