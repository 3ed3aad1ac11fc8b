/**
 * Where replayed handlers' sink values go: one function per sink that hands the value on, with a count
 * per sink for the summary. Pipes are not re-delivered: every replayed handler gets its inputs from its
 * own journal, so a value written to a pipe is counted and dropped.
 *
 * @module
 */
import type { SinkPlan } from "../../plan/types.ts";
import type { Sink } from "../handler-api.ts";

/** Hands one sink value on to the sink it names. */
export type SinkValueOut = (sink: string, value: unknown) => void;

/**
 * @example
 * ```ts
 * const outputs = new ReplayOutputs(plan.sinks, (sink, value) => written.push([sink, value]));
 * outputs.writer("out").accept({ px: 1 });
 * outputs.counts(); // { out: 1 }
 * ```
 */
export class ReplayOutputs {
  private readonly plans: Map<string, SinkPlan>;
  private readonly writers = new Map<string, Sink>();
  private readonly written = new Map<string, number>();

  constructor(sinks: readonly SinkPlan[], private readonly out: SinkValueOut) {
    this.plans = new Map(sinks.map((plan) => [plan.name, plan]));
  }

  /** The sink `name` as a replayed handler's `ctx.sink(name)`; throws as live does for a sink that does not exist. */
  writer(name: string): Sink {
    let writer = this.writers.get(name);
    if (writer) return writer;
    const plan = this.plans.get(name);
    if (!plan) throw new Error(`no sink named "${name}" (sinks: ${[...this.plans.keys()].join(", ") || "none"})`);
    const toPipe = plan.type === "pipe";
    this.written.set(name, 0);
    writer = {
      name,
      accept: (value: unknown) => {
        this.written.set(name, this.written.get(name)! + 1);
        if (!toPipe) this.out(name, value);
      },
    };
    this.writers.set(name, writer);
    return writer;
  }

  /** Values written per sink (pipes included: counted, not delivered). */
  counts(): Record<string, number> {
    return Object.fromEntries([...this.written].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** The names of the pipe sinks written to. */
  pipesWritten(): string[] {
    return [...this.written.keys()].filter((name) => this.plans.get(name)!.type === "pipe");
  }
}
