/**
 * Replay-record feeds in a live run (`clock: replayRecords` on a feed): each event is a
 * `{event, wallClockTime}` record, and `wallClockTime` (epoch ms) is the time of the handlers that
 * subscribe to such a feed on this agent. Their `ctx.clock` reads the last record's time and their
 * `ctx.scheduler` timers fire by it: a timer due at T fires, with the clock reading T, before the first
 * event whose `wallClockTime` is T or later, never by wall time. One timeline per agent, created when its
 * first handler subscribes to such a feed; agents without one are untouched (the live clock and
 * scheduler carry no test for it).
 *
 * @module
 */
import { DataDrivenClock } from "../../time/data-driven-clock.ts";
import type { EventMeta } from "../handler-api.ts";
import type { FeedPlan } from "../../plan/types.ts";
import type { Clock } from "../../time/clock.ts";
import type { DeadLetterBox } from "../dead-letters.ts";
import { AgentScheduler, type TimerFailure } from "./agent-scheduler.ts";
import { FeedDelivery } from "./feed-delivery.ts";

/** The value a `clock: replayRecords` feed publishes. */
export interface ReplayRecord {
  event: unknown;
  /** Wall-clock epoch milliseconds the event happened at. */
  wallClockTime: number;
}

/**
 * @example
 * ```ts
 * const timeline = new RecordTimeline(clock.epochMillis(), clock.epochOriginMs, onTimerFailure);
 * timeline.scheduler.forHandler("pnl", 0).after(1_000, flush);
 * timeline.advanceTo(record.wallClockTime); // fires flush if the record is ≥ 1 s after the clock's start
 * ```
 */
export class RecordTimeline {
  readonly clock: DataDrivenClock;
  /** The scheduler of the handlers on this timeline: never consulted for parks, only advanced by records. */
  readonly scheduler: AgentScheduler;

  /**
   * @param startMillis what the clock reads before the first record (the live time the timeline was
   *   made): timers set before the first record are due relative to it.
   */
  constructor(startMillis: number, epochOriginMs: number, failed: TimerFailure) {
    this.clock = new DataDrivenClock(epochOriginMs);
    this.clock.setEpochMillis(startMillis);
    this.scheduler = new AgentScheduler(this.clock, failed, () => {});
  }

  /**
   * Fires every timer due at or before `wallClockTime`, earliest first, each with the clock reading its
   * deadline (or the current reading, for a timer set at a time already past); then the clock reads
   * `wallClockTime`.
   */
  advanceTo(wallClockTime: number): number {
    const { clock, scheduler } = this;
    let fired = 0;
    for (let next = scheduler.nextDeadline(); next <= wallClockTime; next = scheduler.nextDeadline()) {
      // Time never runs backwards: a timer set at a past time fires at the clock's current reading.
      if (next > clock.epochMillis()) clock.setEpochMillis(next);
      fired += scheduler.runDue(1);
    }
    // The record's time as it is, even if earlier than the last one: the data is the clock.
    clock.setEpochMillis(wallClockTime);
    return fired;
  }
}

/** Whether `value` is a `{event, wallClockTime}` record with a finite time. */
function isReplayRecord(value: unknown): value is ReplayRecord {
  return typeof value === "object" && value !== null && "event" in value && typeof (value as ReplayRecord).wallClockTime === "number" && Number.isFinite((value as ReplayRecord).wallClockTime);
}

/**
 * The delivery of a `clock: replayRecords` feed: each record advances the agent's timeline, then its
 * `event` goes to the receivers. A value that is not such a record becomes a dead letter
 * (`bad-replay-record`), delivered to nobody.
 *
 * @example
 * ```ts
 * const delivery = new ReplayRecordDelivery(feedPlan, clock, timeline, deadLetters);
 * delivery.deliver({ event: { px: 1 }, wallClockTime: 1_767_225_600_000 }, meta);
 * ```
 */
export class ReplayRecordDelivery extends FeedDelivery {
  constructor(feed: FeedPlan, clock: Clock, private readonly timeline: RecordTimeline, private readonly deadLetters: DeadLetterBox) {
    super(feed, clock);
  }

  override readonly deliver = (value: unknown, meta: EventMeta): void => {
    if (!isReplayRecord(value)) {
      const error = new Error(`feed "${this.feed.name}" has clock: replayRecords, so each event must be {event, wallClockTime} with wallClockTime in epoch milliseconds`);
      this.deadLetters.send({ reason: "bad-replay-record", feed: this.feed.name, sequenceNumber: meta.sequenceNumber, error, event: value });
      return;
    }
    this.timeline.advanceTo(value.wallClockTime);
    this.fanOut(value.event, meta);
  };
}
