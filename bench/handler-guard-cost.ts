/**
 * The per-event cost of a handler's `retry` / `circuitBreaker` on the success path, in one thread: a real
 * {@link HostedHandler} with a no-op `onEvent`, fed the same event N times, with no policy (the path every
 * handler without one takes), with `retry`, and with `retry` plus `circuitBreaker`. Rounds alternate the
 * settings; prints one JSON object `{runtime, events, nsPerEvent: {none, retry, "retry+breaker"}}` of medians.
 *
 *   bun bench/handler-guard-cost.ts [--events 5000000] [--rounds 5]
 *   deno run -A bench/handler-guard-cost.ts …
 *
 * Results: bench/results/handler-guard-cost.md.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { Counter } from "../src/core/counters.ts";
import { DEAD_LETTER_REASONS, type DeadLetterReason } from "../src/core/dead-letter-reasons.ts";
import { DeadLetterBox } from "../src/core/dead-letters.ts";
import { ErrorReporter } from "../src/core/error-reporter.ts";
import type { EventMeta } from "../src/core/handler-api.ts";
import { ComponentErrors } from "../src/core/host/component-errors.ts";
import { FeedDeliveries } from "../src/core/host/feed-delivery.ts";
import { HandlerContextImpl, type HandlerHost } from "../src/core/host/handler-context.ts";
import { HandlerGuard } from "../src/core/host/handler-guard.ts";
import { HostedHandler } from "../src/core/host/hosted-handler.ts";
import { watchedBreaker } from "../src/core/host/watched-breaker.ts";
import { createLogger } from "../src/log/log.ts";
import { runtime } from "../src/runtime/mod.ts";
import { ServerClock } from "../src/time/clock.ts";
import { deliveryRounds } from "./handler-delivery-rounds.ts";

const { values } = parseArgs({ args: process.argv.slice(2), options: { events: { type: "string", default: "5000000" }, rounds: { type: "string", default: "5" } } });
const events = Number(values.events);
const SETTINGS = ["none", "retry", "retry+breaker"] as const;

const clock = new ServerClock(performance.timeOrigin);
const log = createLogger({ level: "silent", format: "text" });
/** The context is only built here; nothing on the success path calls the host. */
const host = { schedulerFor: () => undefined } as unknown as HandlerHost;
const counter = () => new Counter(new Float64Array(1), 0);
const reporter = new ErrorReporter(log, () => {});
const deadLetters = new DeadLetterBox("bench", Object.fromEntries(DEAD_LETTER_REASONS.map((r) => [r, counter()])) as Record<DeadLetterReason, Counter>, reporter, clock, () => undefined);

function handlerWith(setting: typeof SETTINGS[number]): HostedHandler {
  const context = new HandlerContextImpl("h", "bench", {}, clock, log, host);
  let seen = 0;
  const handler = new HostedHandler("h", { onEvent: () => void seen++ }, context, counter(), counter(), () => {});
  if (setting === "none") return handler;
  const policy = { failures: 5, windowMs: 10_000, openMs: 30_000, whenOpen: "deadLetter" as const };
  handler.guard = new HandlerGuard(handler, {
    retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 10_000, ordered: true },
    breaker: setting === "retry+breaker" ? { policy, breaker: watchedBreaker(policy, () => clock.epochMillis(), counter(), log, "handler h") } : undefined,
    counters: { retries: counter(), retrySuccesses: counter(), retriesExhausted: counter(), circuitRejected: counter() },
    clock,
    errors: new ComponentErrors("bench", clock, reporter),
    deadLetters,
    deliveries: new FeedDeliveries(clock),
    scheduler: () => {
      throw new Error("no event fails in this bench");
    },
  });
  return handler;
}

const meta: EventMeta = { feed: "in", sequenceNumber: 1, publishedNanos: clock.nanos(), publishedAt: 0 };
const handlers = new Map(SETTINGS.map((s) => [s, handlerWith(s)]));
console.log(JSON.stringify({ runtime: runtime.name, events, nsPerEvent: deliveryRounds(handlers, events, Number(values.rounds), meta) }));
