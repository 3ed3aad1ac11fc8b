/**
 * One handler on its agent: its instance, context, lifecycle and counters, and the delivery of an event
 * to `onEvent` (a throw or a rejected promise becomes a reported failure, never an agent failure).
 *
 * @module
 */
import type { Counter } from "../counters.ts";
import type { EventMeta, Handler } from "../handler-api.ts";
import type { HandlerTiming } from "../latency/handler-timing.ts";
import { ComponentLifecycle } from "./component-lifecycle.ts";
import type { EventReceiver } from "./feed-delivery.ts";
import type { HandlerGuard } from "./handler-guard.ts";
import type { HandlerContextImpl } from "./handler-context.ts";
import type { JournalWriter } from "../journal/journal-writer.ts";
import type { LifecyclePhase } from "../protocol.ts";

/** Called when `onEvent` threw or its promise rejected. */
export type HandlerFailure = (handler: HostedHandler, thrown: unknown, feed: string, sequenceNumber: number, event: unknown) => void;

/**
 * @example
 * ```ts
 * const hosted = new HostedHandler("pnl", instance, context, events, errors, onFailure);
 * await hosted.lifecycle.run("init");
 * hosted.deliver(42, meta); // timed if it is the one event in sampleEvery
 * ```
 */
export class HostedHandler implements EventReceiver {
  /** Feeds and pipes this handler receives. */
  readonly subscriptions = new Set<string>();
  readonly lifecycle: ComponentLifecycle;
  /** Its `retry` / `circuitBreaker`, if configured: then every event goes through it. */
  guard?: HandlerGuard;
  /** Its journal, if it is journaled: every delivery is recorded first. Delivery only tests this field. */
  readonly journal?: JournalWriter;
  /** Paused with policy `drop` (runtime tuning): events are counted in {@link pausedDrops} instead of delivered. */
  dropping = false;
  /** Its `handler_paused_dropped_total`. */
  pausedDrops: Counter | undefined;

  constructor(
    readonly name: string,
    readonly instance: Handler,
    readonly context: HandlerContextImpl,
    private readonly events: Counter,
    readonly errors: Counter,
    private readonly failed: HandlerFailure,
    /** Undefined when latency recording is off: delivery then only tests this field. */
    private readonly timing?: HandlerTiming,
    /** The module it was loaded from (e.g. `./pnl.ts`); undefined for an in-process handler. */
    source?: string,
    journal?: JournalWriter,
  ) {
    this.journal = journal;
    this.lifecycle = new ComponentLifecycle("handler", name, journal ? (phase) => this.journaledPhase(phase, journal) : (phase) => this.runPhase(phase), source);
  }

  deliver(event: unknown, meta: EventMeta): void {
    if (this.dropping) return this.pausedDrops!.inc();
    const journal = this.journal;
    if (journal === undefined) return this.deliverNow(event, meta);
    // The handler's clock reads the recorded time for the whole delivery (see JournalClock).
    journal.clock.hold();
    try {
      journal.event(event, meta);
      this.deliverNow(event, meta);
    } finally {
      journal.clock.release();
    }
  }

  private deliverNow(event: unknown, meta: EventMeta): void {
    this.events.inc();
    const guard = this.guard;
    if (guard !== undefined) {
      guard.deliver(event, meta);
      return;
    }
    try {
      const result = this.call(event, meta);
      if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
        const { feed, sequenceNumber } = meta;
        (result as Promise<unknown>).then(undefined, (thrown) => this.failed(this, thrown, feed, sequenceNumber, event));
      }
    } catch (thrown) {
      this.failed(this, thrown, meta.feed, meta.sequenceNumber, event);
    }
  }

  private runPhase(phase: LifecyclePhase): unknown {
    const instance = this.instance;
    if (phase === "init" || phase === "start") return instance[phase]?.(this.context);
    return instance[phase]?.();
  }

  /** A phase of a journaled handler: a finished start is recorded, a stop writes what waits, a tearDown closes the journal. */
  private journaledPhase(phase: LifecyclePhase, journal: JournalWriter): unknown {
    const after = () => {
      if (phase === "start") journal.start(this.context.seed, this.context.config);
      else if (phase === "stop") journal.flush();
      else if (phase === "tearDown") journal.close();
    };
    // A start reads the time its record says (held until it has run, or until its promise settles).
    const holds = phase === "start";
    if (holds) journal.clock.hold();
    let result;
    try {
      result = this.runPhase(phase);
    } catch (thrown) {
      if (holds) journal.clock.release();
      if (phase === "tearDown") journal.close();
      throw thrown;
    }
    if (result === undefined || typeof (result as Promise<unknown>).then !== "function") {
      after();
      if (holds) journal.clock.release();
      return result;
    }
    return (result as Promise<unknown>).then(() => {
      after();
      if (holds) journal.clock.release();
    }, (thrown) => {
      if (holds) journal.clock.release();
      if (phase === "tearDown") journal.close();
      throw thrown;
    });
  }

  /** Calls `onEvent`, timed if it is the one event in sampleEvery; throws what it throws. */
  call(event: unknown, meta: EventMeta): unknown {
    const timing = this.timing;
    if (timing === undefined || !timing.due()) return this.instance.onEvent(event, meta);
    const started = timing.begin(meta.publishedNanos);
    try {
      return this.instance.onEvent(event, meta);
    } finally {
      timing.end(started);
    }
  }
}
