/**
 * One handler re-driven from its journal on the replay's thread: built from its module with the
 * recorded start config, its `ctx.clock` set to each record's recorded time before the record is
 * replayed, its timers fired by ordinal where the journal has them. Its sink values go to
 * {@link ReplayOutputs}. Subscriptions, admin commands and emitted events have no effect: every input
 * comes from the journal, where the events a handler emitted to itself are recorded as it received them.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import type { HandlerPlan } from "../../plan/types.ts";
import { DataDrivenClock } from "../../time/data-driven-clock.ts";
import type { EventTypes } from "../event-types.ts";
import type { EventMeta, Handler, Scheduler, Sink } from "../handler-api.ts";
import { HandlerLoadError, loadHandler } from "../handler-loader.ts";
import { BootError, describeThrown } from "../errors.ts";
import { type HandlerHost, HandlerContextImpl } from "../host/handler-context.ts";
import type { JournalEntry } from "../journal/journal-entry.ts";
import { OrdinalScheduler } from "./ordinal-scheduler.ts";
import type { ReplayOutputs } from "./replay-outputs.ts";

/** What the replay of one handler did, for the summary. */
export interface ReplayedCounts {
  records: number;
  events: number;
  timersFired: number;
  configUpdates: number;
  /** Times the handler (re)started: more than one when the journal spans a restart. */
  starts: number;
  /** Throws and rejections from the handler's code while replaying. */
  errors: number;
  /** Event records whose value the journal could not hold (skipped). */
  unrecorded: number;
  /** Timer records whose ordinal the replayed handler never created, or had cancelled. */
  timerMismatches: number;
}

type Recorded = { clockNanos: number; epochMillis: number };

/**
 * @example
 * ```ts
 * const replayed = new ReplayedHandler(plan, "processor", outputs, eventTypes, log);
 * for (const entry of readJournal(dir, plan.name)) await replayed.replay(entry);
 * await replayed.finish();
 * ```
 */
export class ReplayedHandler implements HandlerHost {
  readonly counts: ReplayedCounts = { records: 0, events: 0, timersFired: 0, configUpdates: 0, starts: 0, errors: 0, unrecorded: 0, timerMismatches: 0 };
  readonly clock: DataDrivenClock;
  private instance: Handler | undefined;
  private context: HandlerContextImpl | undefined;
  private scheduler!: OrdinalScheduler;
  /** Whether the journal began without a start record (its oldest files were deleted). */
  private startedWithoutRecord = false;

  constructor(
    private readonly plan: HandlerPlan,
    private readonly agentName: string,
    private readonly outputs: ReplayOutputs,
    readonly eventTypes: EventTypes,
    private readonly log: Logger,
  ) {
    // Only ever set() to both recorded readings, so the epoch it would derive nanos from is never used.
    this.clock = new DataDrivenClock(0);
  }

  get name(): string {
    return this.plan.name;
  }

  /** Replays one record: the clock first reads its recorded time, then the handler gets it. */
  async replay(entry: JournalEntry): Promise<void> {
    this.counts.records++;
    this.clock.set(entry.clockNanos, entry.epochMillis);
    switch (entry.kind) {
      case "start":
        await this.start(entry.config, entry.seed);
        return;
      case "event":
        await this.ensureStarted(entry);
        if (entry.unrecorded !== undefined) {
          this.counts.unrecorded++;
          this.log.warn("event skipped: its value could not be recorded", { handler: this.name, feed: entry.feed, sequenceNumber: entry.sequence, reason: entry.unrecorded });
          return;
        }
        this.counts.events++;
        await this.guarded("onEvent", () => this.instance!.onEvent(entry.value, this.meta(entry)));
        return;
      case "timer": {
        await this.ensureStarted(entry);
        const due = this.scheduler.due(entry.ordinal);
        if (typeof due === "function") {
          this.counts.timersFired++;
          await this.guarded("scheduler callback", due);
          return;
        }
        this.counts.timerMismatches++;
        this.log.warn(`timer ${entry.ordinal} of the journal was ${due === "cancelled" ? "cancelled" : "never created"} by the replayed handler: it does not behave as when recorded`, { handler: this.name });
        return;
      }
      case "config":
        await this.ensureStarted(entry);
        this.counts.configUpdates++;
        this.context!.replaceConfig(entry.config);
        await this.guarded("onConfigChange", () => this.instance!.onConfigChange?.(this.context!.config));
        return;
    }
  }

  /** Stops the handler at the time of its last record; its values from stop() are written too. */
  async finish(): Promise<void> {
    await this.retire();
  }

  // ---- HandlerHost: what ctx reaches ----

  subscribe(): void {
    // Inputs come from the journal.
  }

  sinkWriter(name: string): Sink {
    return this.outputs.writer(name);
  }

  emit(): void {
    // The journal holds the emitted event where the handler received it; replaying that record delivers it.
  }

  schedulerFor(): Scheduler {
    return this.scheduler;
  }

  service(caller: string, name: string): unknown {
    throw new Error(`${caller} asked for service "${name}": services are not started in a replay (replay drives handlers only; see the README, Determinism)`);
  }

  registerCommand(): void {
    // No admin server in a replay.
  }

  // ---- internals ----

  private async start(config: Record<string, unknown>, seed: number | undefined): Promise<void> {
    // A second start record: the agent was restarted live, so the handler starts afresh here too.
    await this.retire();
    this.counts.starts++;
    this.scheduler = new OrdinalScheduler(this.name);
    // Not journaled again; seeded as recorded, so ctx.random() draws what it drew live.
    const context = new HandlerContextImpl(this.name, this.agentName, config, this.clock, this.log.child({ handler: this.name }), this, undefined, seed);
    this.context = context;
    const instance = await loadHandler(this.plan).catch((error) => {
      if (!(error instanceof HandlerLoadError)) throw error;
      throw new BootError(`handler "${this.name}" (${error.where})`, "replay", error.reason);
    });
    this.instance = instance;
    // Live, a failing start fails the boot; here the journal says it started, so the replay goes on and counts it.
    await this.guarded("init", () => instance.init?.(context));
    await this.guarded("start", () => instance.start?.(context));
    await this.guarded("startComplete", () => instance.startComplete?.());
  }

  /** A journal whose start record was deleted (retainFiles) begins mid-way: start from the configuration. */
  private async ensureStarted(entry: Recorded): Promise<void> {
    if (this.instance) return;
    this.startedWithoutRecord = true;
    this.log.warn("journal begins without the handler's start record (its oldest files were deleted, see journal.retainFiles): starting it with its configMap from the configuration; ctx.random() will not repeat the live draws", { handler: this.name, at: new Date(entry.epochMillis).toISOString() });
    await this.start(this.plan.config, undefined);
    this.clock.set(entry.clockNanos, entry.epochMillis);
  }

  private async retire(): Promise<void> {
    const instance = this.instance;
    if (!instance) return;
    this.instance = undefined;
    await this.guarded("stop", () => instance.stop?.());
    await this.guarded("tearDown", () => instance.tearDown?.());
  }

  private meta(entry: Extract<JournalEntry, { kind: "event" }>): EventMeta {
    return { feed: entry.feed, sequenceNumber: entry.sequence, publishedAt: entry.publishedEpochMillis, publishedNanos: entry.publishedNanos };
  }

  /** Runs handler code; a throw or rejection is counted and logged, as live (where it becomes a dead letter), and the replay goes on. */
  private async guarded(what: string, call: () => unknown): Promise<void> {
    try {
      const result = call();
      if (result !== undefined && typeof (result as Promise<unknown>).then === "function") await result;
    } catch (thrown) {
      this.counts.errors++;
      this.log.warn(`${what} threw while replaying`, { handler: this.name, error: describeThrown(thrown).message });
    }
  }

  /** Whether the handler had to be started without its start record. */
  get missedStart(): boolean {
    return this.startedWithoutRecord;
  }
}
