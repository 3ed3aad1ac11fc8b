/**
 * Whether a worker agent's duty cycle is responsive, judged from its heartbeat word without costing an
 * idle agent periodic wakeups.
 *
 * An idle agent parks until something signals it, however long that is, so a quiet heartbeat alone does
 * not mean "stuck". When the heartbeat has been still for half of `unresponsiveAfterMs`, the watchdog
 * probes: it signals the agent's wake word, which ends a park at once (a parked agent then runs one
 * slice, beats and parks again). An agent busy in a handler (`while (true) {}`) cannot answer, and is
 * reported unresponsive once the heartbeat has been still for `unresponsiveAfterMs`. An idle server thus
 * costs one wakeup per agent every `unresponsiveAfterMs / 2` at most.
 *
 * A "parked" flag could spare even those wakeups, but a worker's long parks are asynchronous (its event
 * loop runs timers and I/O meanwhile), so the flag could not tell a quiet agent from a timer callback
 * stuck in a loop; the probe can.
 *
 * @module
 */

/** What the watchdog remembers about one agent's heartbeat. */
export interface HeartbeatRecord {
  /** The heartbeat count last seen. */
  lastHeartbeat: number;
  /** `performance.now()` when the count last moved. */
  lastBeatAt: number;
  /** `performance.now()` of the probe sent since the count last moved, if any. */
  probedAt?: number;
}

/** What the watchdog should do about an agent. */
export type LivenessVerdict =
  /** The heartbeat moved since the last look. */
  | "beating"
  /** Quiet, not for long: nothing to do yet. */
  | "quiet"
  /** Quiet for half the limit: signal its wake word now (it answers with a heartbeat if it is parked). */
  | "probe"
  /** Quiet for longer than the limit, probe included: stuck, or its thread ended. */
  | "unresponsive";

/**
 * Updates `record` with the heartbeat just read and says what to do.
 *
 * @example
 * ```ts
 * const verdict = judgeLiveness(record, agent.signals.heartbeat(), performance.now(), 5_000);
 * if (verdict === "probe") agent.signals.wake.signal();
 * ```
 */
export function judgeLiveness(record: HeartbeatRecord, heartbeat: number, now: number, unresponsiveAfterMs: number): LivenessVerdict {
  if (heartbeat !== record.lastHeartbeat) {
    record.lastHeartbeat = heartbeat;
    record.lastBeatAt = now;
    record.probedAt = undefined;
    return "beating";
  }
  const quietMs = now - record.lastBeatAt;
  if (quietMs > unresponsiveAfterMs && record.probedAt !== undefined) return "unresponsive";
  if (quietMs >= unresponsiveAfterMs / 2 && record.probedAt === undefined) {
    record.probedAt = now;
    return "probe";
  }
  return "quiet";
}

/**
 * How often the watchdog looks: often enough that a probe is sent between half the limit and the limit.
 *
 * @example
 * ```ts
 * setInterval(checkHeartbeats, watchdogIntervalMs(5_000)); // every 1 s
 * ```
 */
export function watchdogIntervalMs(unresponsiveAfterMs: number): number {
  return Math.max(50, Math.min(1000, unresponsiveAfterMs / 4));
}
