/**
 * The writing side of an agent: one writer per sink or pipe its components write to (what `ctx.sink()`
 * returns), created on first use. Creating one asks the supervisor for its rings; every duty cycle
 * flushes them all, since handlers also write from timers and promise callbacks.
 *
 * @module
 */
import type { SinkPlan } from "../../plan/types.ts";
import type { RingProducer } from "../../transport/ring.ts";
import type { PipeWriter } from "../pipes/pipe-writer.ts";
import type { SinkWriter } from "../sinks/sink-writer.ts";
import type { ComponentErrors } from "./component-errors.ts";
import type { ComponentFactory } from "./component-factory.ts";
import type { WantsCollector } from "./wants-collector.ts";

/** The writing side of `ctx.sink(name)`: to a sink's host, or into a pipe. */
export type Writer = SinkWriter | PipeWriter;

/**
 * @example
 * ```ts
 * const outputs = new Outputs(sinkPlans, factory, wants, errors);
 * outputs.writer("out").accept(1); // the ring comes later; values wait in the writer
 * outputs.flush();
 * ```
 */
export class Outputs {
  private readonly byName = new Map<string, Writer>();
  /** The same writers as a list: flushed every duty cycle, where iterating a Map would allocate. */
  private readonly list: Writer[] = [];
  private readonly pipes = new Map<string, PipeWriter>();
  /** The sink writers (pipes excluded), in creation order; only ever grows (read by `DurableAcks`). */
  readonly sinkWriters: SinkWriter[] = [];
  /** Pipes that cache early events hold them until the feeds' start completes. */
  private live = false;

  constructor(
    private readonly sinkPlans: ReadonlyMap<string, SinkPlan>,
    private readonly factory: ComponentFactory,
    private readonly wants: WantsCollector,
    private readonly errors: ComponentErrors,
  ) {}

  /** The writer for a sink or pipe, created (and its rings asked for) on first use. */
  writer(name: string): Writer {
    const writer = this.byName.get(name);
    if (writer) return writer;
    this.wants.sink(name);
    return this.create(name);
  }

  /**
   * Connects the ring to the sink's host. A restarted agent is handed its predecessor's rings before its
   * components ask for writers: the writer is made now, so that the ring has its producer (which closes
   * it at stop) whether or not the new instance writes to it.
   */
  attachSink(sink: string, ring: RingProducer): void {
    ((this.byName.get(sink) ?? this.create(sink)) as SinkWriter).attach(ring);
  }

  /** Connects a ring to one subscriber of a pipe this agent writes to; false if there is no such pipe (a hosted feed's ring). */
  attachPipe(pipe: string, ring: RingProducer, consumerAgent: string): boolean {
    let writer = this.pipes.get(pipe);
    if (!writer) {
      const plan = [...this.sinkPlans.values()].find((p) => p.type === "pipe" && p.pipe === pipe);
      if (!plan) return false;
      writer = this.create(plan.name) as PipeWriter;
    }
    writer.addTarget(ring, consumerAgent);
    return true;
  }

  private create(name: string): Writer {
    const plan = this.sinkPlans.get(name);
    if (!plan) throw new Error(`no sink named "${name}" (sinks: ${[...this.sinkPlans.keys()].join(", ") || "none"})`);
    let writer: Writer;
    if (plan.type === "pipe") {
      const pipe = this.factory.pipeWriter(plan, !this.live);
      this.pipes.set(pipe.pipe, pipe);
      writer = pipe;
    } else {
      writer = this.factory.sinkWriter(plan);
      this.sinkWriters.push(writer);
    }
    this.byName.set(name, writer);
    this.list.push(writer);
    return writer;
  }

  /** Closes the ring to one subscriber of a pipe this agent writes to; false if it writes no such ring. */
  detachPipe(pipe: string, consumerAgent: string): boolean {
    return this.pipes.get(pipe)?.removeTarget(consumerAgent) ?? false;
  }

  /** The feeds' start completed: pipes release what they cached. */
  goLive(): void {
    this.live = true;
    for (const pipe of this.pipes.values()) pipe.release();
  }

  flush(): void {
    const writers = this.list;
    for (let i = 0; i < writers.length; i++) writers[i].flush();
  }

  /** Publishes and closes every outbound ring; values that could not be delivered are reported per writer. */
  close(): void {
    for (const writer of this.list) {
      const lost = writer.close();
      if (lost > 0) this.errors.report("sink", writer.name, "stop", new Error(`${lost} values sent to "${writer.name}" could not be delivered`));
    }
  }
}
