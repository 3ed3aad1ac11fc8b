/**
 * Aligns a worker agent's clock with the supervisor's: worker clocks start from their own time origin,
 * so cross-thread timestamps (publish time on one agent, receive time on another) need the offset
 * measured once at boot (see time/clock-calibration.ts for the ping protocol).
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import { allocateCalibration, isPrecise, measureClockOffset } from "../../time/clock-calibration.ts";
import { ServerClock } from "../../time/clock.ts";
import type { AgentEndpoint } from "../agent-endpoint.ts";

/** How long the supervisor pings before giving up (the agent answers for as long). */
const CALIBRATION_TIMEOUT_MS = 2_000;

/**
 * Measures `agent`'s clock against this thread's and has the agent correct itself.
 *
 * @example
 * ```ts
 * await calibrateClock(workerAgent, performance.timeOrigin, log, 30_000);
 * ```
 */
export async function calibrateClock(agent: AgentEndpoint, epochOriginMs: number, log: Logger, requestTimeoutMs: number): Promise<void> {
  const buffer = allocateCalibration();
  const served = agent.request({ op: "calibrateClock", buffer }, requestTimeoutMs);
  const measured = measureClockOffset(buffer, new ServerClock(epochOriginMs), CALIBRATION_TIMEOUT_MS);
  await served;
  if (measured === undefined) {
    log.warn("clock calibration timed out; cross-thread timestamps may be off by ~1 µs", { agent: agent.name });
    return;
  }
  const { offsetNanos, roundTripNanos } = measured;
  if (!isPrecise(measured)) {
    // The agent shared a core with a busy thread: its time origin (~1 µs) is the better estimate.
    log.debug("clock calibration imprecise; keeping the time-origin estimate", { agent: agent.name, roundTripNanos: Math.round(roundTripNanos) });
    return;
  }
  await agent.request({ op: "correctClock", offsetNanos }, requestTimeoutMs);
  log.debug("clock calibrated", { agent: agent.name, offsetNanos: Math.round(offsetNanos), roundTripNanos: Math.round(roundTripNanos) });
}
