/**
 * A handler's `retry` and `circuitBreaker`: what happens to an event whose `onEvent` throws (or whose
 * promise rejects), and to events arriving while the handler's circuit is open. Only handlers configured
 * with one of them have a guard; the others deliver exactly as before.
 *
 * Retry: the failed event is kept ({@link KeptEvent}) and called again from the agent's scheduler after
 * `backoffMs`, doubling up to `maxBackoffMs`, until `attempts` calls were made; then it becomes a dead
 * letter with the error, the attempts, the feed and the sequence number. The agent never waits: its other
 * handlers (and this one's other feeds) go on meanwhile. With `ordered`, the later events of the same
 * feed for this handler are held (in arrival order) until the failed one succeeded or was dead-lettered;
 * without, they go on past it.
 *
 * Circuit breaker: while open, events are not handed to the handler. `whenOpen: deadLetter` makes them
 * dead letters (reason `circuit-open`); `hold` holds them per feed until a probe may go through, and
 * delivers them in order once the circuit closes.
 *
 * Held events are bounded: when {@link HOLD_LIMIT} events of one feed are held for a handler, the rings
 * of that feed into this agent are no longer consumed until fewer are held. The feed then meets a full
 * ring: backpressure, which every handler on this agent receiving that feed feels too. Events a handler
 * emits to itself (`ctx.emit`) or pipe values written on this agent cannot be held back at their source
 * and are queued past the bound.
 *
 * @module
 */
import type { CircuitBreakerPolicy, RetryPolicy } from "../../plan/types.ts";
import type { Clock } from "../../time/clock.ts";
import type { CircuitBreaker } from "../circuit-breaker.ts";
import type { Counter } from "../counters.ts";
import type { DeadLetterBox } from "../dead-letters.ts";
import type { EventMeta, Scheduler } from "../handler-api.ts";
import type { ComponentErrors } from "./component-errors.ts";
import type { FeedDeliveries, FeedDelivery } from "./feed-delivery.ts";
import { KeptEvent } from "./kept-event.ts";

/** Most events of one feed held for one handler before that feed's rings into the agent wait. */
export const HOLD_LIMIT = 1024;

/** While a half-open probe's promise is pending, held events look again this often. */
const PROBE_PENDING_RECHECK_MS = 10;

/** One feed's events held for the handler, oldest first; the first may be waiting for its retry. */
interface HeldFeed {
  readonly events: KeptEvent[];
  /** The feed's delivery on this agent (undefined for events emitted with `ctx.emit`). */
  readonly delivery: FeedDelivery | undefined;
  holdingBack: boolean;
  /** The scheduler timer that releases them next, or -1. */
  timer: number;
}

/** The handler a guard calls (a HostedHandler). */
export interface GuardedHandler {
  readonly name: string;
  readonly errors: Counter;
  /** Calls `onEvent`; throws what it throws. */
  call(event: unknown, meta: EventMeta): unknown;
}

/** The counters of a guarded handler. */
export interface GuardCounters {
  retries: Counter;
  retrySuccesses: Counter;
  retriesExhausted: Counter;
  circuitRejected: Counter;
}

/** What a guard works with. */
export interface GuardParts {
  retry?: RetryPolicy;
  breaker?: { policy: CircuitBreakerPolicy; breaker: CircuitBreaker };
  counters: GuardCounters;
  clock: Clock;
  errors: ComponentErrors;
  deadLetters: DeadLetterBox;
  deliveries: FeedDeliveries;
  /** The handler's scheduler (asked for on first use). */
  scheduler: () => Scheduler;
}

/**
 * @example
 * ```ts
 * handler.guard = new HandlerGuard(handler, { retry: { attempts: 3, backoffMs: 10, maxBackoffMs: 100, ordered: true }, counters, clock, errors, deadLetters, deliveries, scheduler });
 * handler.deliver(event, meta); // through the guard: a throw is retried 10 ms later
 * ```
 */
export class HandlerGuard {
  private readonly held = new Map<string, HeldFeed>();
  /** Failed events waiting for a retry outside any held feed (`ordered: false`), by timer. */
  private readonly loose = new Map<number, KeptEvent>();
  private heldCount = 0;
  private timers?: Scheduler;
  /** What the last call that returned false threw. */
  private thrown: unknown = undefined;
  /** After {@link abandon}: a promise rejecting now is dead-lettered, not retried. */
  private stopped = false;
  /** After {@link hurry}: no backoff, and an open circuit dead-letters instead of holding. */
  private hurrying = false;
  private readonly retry?: RetryPolicy;
  private readonly breaker?: CircuitBreaker;
  private holdWhenOpen: boolean;

  constructor(private readonly handler: GuardedHandler, private readonly parts: GuardParts) {
    this.retry = parts.retry;
    this.breaker = parts.breaker?.breaker;
    this.holdWhenOpen = parts.breaker?.policy.whenOpen === "hold";
  }

  /**
   * The server is stopping and drains this agent: kept events are not to wait out backoffs or an open
   * circuit. Their remaining attempts are made now, one after the other; an open circuit dead-letters.
   */
  hurry(): void {
    if (this.hurrying) return;
    this.hurrying = true;
    this.holdWhenOpen = false;
    for (const [timer, kept] of [...this.loose]) {
      this.scheduler().cancel(timer);
      this.loose.delete(timer);
      this.retryLoose(kept, 0);
    }
    for (const feed of this.held.values()) if (feed.events.length > 0) this.releaseAfter(feed, 0);
  }

  /** Events kept for a later call (held or waiting for a retry): the agent's drain waits for 0. */
  get pending(): number {
    return this.heldCount + this.loose.size;
  }

  /** Hands a fresh event to the handler, or holds it, or dead-letters it (open circuit). */
  deliver(event: unknown, meta: EventMeta): void {
    const held = this.held.get(meta.feed);
    if (held !== undefined && held.events.length > 0) {
      this.hold(held, KeptEvent.of(event, meta, this.parts.clock));
      return;
    }
    const breaker = this.breaker;
    if (breaker !== undefined && !breaker.allow()) {
      this.parts.counters.circuitRejected.inc();
      if (!this.holdWhenOpen) {
        this.deadLetterOpen(event, meta);
        return;
      }
      const feed = this.heldFeed(meta.feed);
      this.hold(feed, KeptEvent.of(event, meta, this.parts.clock));
      if (feed.timer < 0) this.releaseAfter(feed, this.untilProbe(breaker));
      return;
    }
    if (this.call(event, meta, undefined)) return;
    const kept = KeptEvent.of(event, meta, this.parts.clock);
    kept.attempts = 1;
    this.failed(kept, this.thrown);
  }

  /** The handler stops (or is removed): every event still kept becomes a dead letter (reason `held-at-stop`). */
  abandon(): void {
    this.stopped = true;
    const scheduler = this.timers;
    for (const [timer, kept] of this.loose) {
      scheduler?.cancel(timer);
      this.deadLetterAtStop(kept);
    }
    this.loose.clear();
    for (const feed of this.held.values()) {
      if (feed.timer >= 0) scheduler?.cancel(feed.timer);
      feed.timer = -1;
      for (const kept of feed.events) this.deadLetterAtStop(kept);
      feed.events.length = 0;
      this.holdBack(feed, false);
    }
    this.heldCount = 0;
  }

  /**
   * Calls onEvent; false when it threw (what it threw is in `thrown`). A returned promise counts as a
   * call that went through: its outcome is handled when it settles.
   */
  private call(event: unknown, meta: EventMeta, kept: KeptEvent | undefined): boolean {
    if (kept !== undefined && kept.attempts++ > 0) this.parts.counters.retries.inc();
    let result: unknown;
    try {
      result = this.handler.call(event, meta);
    } catch (thrown) {
      this.thrown = thrown;
      return false;
    }
    if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
      let settling = kept;
      if (settling === undefined) {
        settling = KeptEvent.of(event, meta, this.parts.clock);
        settling.attempts = 1;
      }
      const pending = settling;
      (result as Promise<unknown>).then(() => this.succeeded(pending), (thrown) => this.failed(pending, thrown));
      return true;
    }
    this.succeeded(kept);
    return true;
  }

  private succeeded(kept: KeptEvent | undefined): void {
    this.breaker?.succeeded();
    if (kept !== undefined && kept.attempts > 1) this.parts.counters.retrySuccesses.inc();
  }

  /** A call failed (the event is in no held feed): counted, reported, and the event retried later or dead-lettered. */
  private failed(kept: KeptEvent, thrown: unknown): void {
    const delay = this.afterFailure(kept, thrown);
    if (delay < 0) return;
    if (this.stopped) {
      this.deadLetterAtStop(kept);
      return;
    }
    if (!this.retry!.ordered) {
      this.retryLoose(kept, delay);
      return;
    }
    // The first of its feed now: later events of the feed wait behind it.
    const feed = this.heldFeed(kept.feed);
    feed.events.unshift(kept);
    this.heldCount++;
    this.releaseAfter(feed, delay);
    this.updateHoldBack(feed);
  }

  /** Counts and reports a failed call; dead-letters the event and returns -1 if it has no attempt left, else the backoff before the next. */
  private afterFailure(kept: KeptEvent, thrown: unknown): number {
    const { handler, parts, retry } = this;
    this.breaker?.failed();
    handler.errors.inc();
    kept.lastError = thrown;
    parts.errors.report("handler", handler.name, "onEvent", thrown, { feed: kept.feed, sequenceNumber: kept.sequenceNumber, event: kept.event });
    if (retry === undefined || kept.attempts >= retry.attempts) {
      if (retry !== undefined) parts.counters.retriesExhausted.inc();
      parts.deadLetters.send({
        reason: "handler-error",
        feed: kept.feed,
        handler: handler.name,
        sequenceNumber: kept.sequenceNumber,
        attempts: retry === undefined ? undefined : kept.attempts,
        error: thrown,
        event: kept.event,
      });
      return -1;
    }
    return this.hurrying ? 0 : Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** (kept.attempts - 1));
  }

  /** `ordered: false`: the event is retried on its own timer; the feed's later events go on. */
  private retryLoose(kept: KeptEvent, delay: number): void {
    const timer = this.scheduler().after(delay, () => {
      this.loose.delete(timer);
      const breaker = this.breaker;
      if (breaker !== undefined && !breaker.allow()) {
        if (this.holdWhenOpen) {
          this.retryLoose(kept, this.untilProbe(breaker));
          return;
        }
        this.parts.counters.circuitRejected.inc();
        this.deadLetterOpen(kept.event, kept);
        return;
      }
      if (!this.call(kept.event, kept, kept)) this.failed(kept, this.thrown);
    });
    this.loose.set(timer, kept);
  }

  /** Delivers a feed's held events in order until one fails (and waits for its retry) or the circuit refuses. */
  private release(feed: HeldFeed): void {
    feed.timer = -1;
    const events = feed.events;
    const breaker = this.breaker;
    while (events.length > 0) {
      const next = events[0];
      if (breaker !== undefined && !breaker.allow()) {
        if (this.holdWhenOpen) {
          this.releaseAfter(feed, this.untilProbe(breaker));
          break;
        }
        this.take(feed);
        this.parts.counters.circuitRejected.inc();
        this.deadLetterOpen(next.event, next);
        continue;
      }
      if (this.call(next.event, next, next)) {
        this.take(feed);
        continue;
      }
      const delay = this.afterFailure(next, this.thrown);
      if (delay < 0) {
        this.take(feed);
        continue;
      }
      this.releaseAfter(feed, delay);
      break;
    }
    this.updateHoldBack(feed);
  }

  private hold(feed: HeldFeed, kept: KeptEvent): void {
    feed.events.push(kept);
    this.heldCount++;
    if (!feed.holdingBack && feed.events.length >= HOLD_LIMIT) this.holdBack(feed, true);
  }

  private take(feed: HeldFeed): void {
    feed.events.shift();
    this.heldCount--;
  }

  private updateHoldBack(feed: HeldFeed): void {
    this.holdBack(feed, feed.events.length >= HOLD_LIMIT);
  }

  private holdBack(feed: HeldFeed, holding: boolean): void {
    if (feed.holdingBack === holding) return;
    feed.holdingBack = holding;
    feed.delivery?.holdBack(holding);
  }

  private releaseAfter(feed: HeldFeed, delay: number): void {
    const scheduler = this.scheduler();
    if (feed.timer >= 0) scheduler.cancel(feed.timer);
    feed.timer = scheduler.after(delay, () => this.release(feed));
  }

  private untilProbe(breaker: CircuitBreaker): number {
    return Math.max(PROBE_PENDING_RECHECK_MS, breaker.millisUntilProbe());
  }

  private heldFeed(name: string): HeldFeed {
    let feed = this.held.get(name);
    if (feed === undefined) {
      feed = { events: [], delivery: this.parts.deliveries.receiving(name), holdingBack: false, timer: -1 };
      this.held.set(name, feed);
    }
    return feed;
  }

  private scheduler(): Scheduler {
    return this.timers ??= this.parts.scheduler();
  }

  private deadLetterOpen(event: unknown, meta: EventMeta): void {
    this.parts.deadLetters.send({
      reason: "circuit-open",
      feed: meta.feed,
      handler: this.handler.name,
      sequenceNumber: meta.sequenceNumber,
      error: new Error(`handler "${this.handler.name}": circuit open`),
      event,
    });
  }

  private deadLetterAtStop(kept: KeptEvent): void {
    const tried = kept.attempts > 0;
    this.parts.deadLetters.send({
      reason: "held-at-stop",
      feed: kept.feed,
      handler: this.handler.name,
      sequenceNumber: kept.sequenceNumber,
      attempts: tried ? kept.attempts : undefined,
      error: tried ? kept.lastError : new Error(`handler "${this.handler.name}" stopped while the event was held`),
      event: kept.event,
    });
  }
}
