/**
 * The unit of work an agent thread runs, after Agrona's `Agent`: a duty cycle that does a bounded amount of
 * work and says how much it did, so the idle strategy can decide what an empty cycle costs.
 *
 * @module
 */

/**
 * Something an {@link AgentRunner} drives.
 *
 * @example
 * ```ts
 * const counter: Agent = {
 *   roleName: "counter",
 *   doWork: () => queue.drain((item) => total += item), // returns items drained
 * };
 * ```
 */
export interface Agent {
  /** Name used in logs and metrics. */
  readonly roleName: string;
  /** Called once on the agent's thread before the first duty cycle. */
  onStart?(): void;
  /** One duty cycle: do what is ready (bounded), return how much was done; 0 means "idle". */
  doWork(): number;
  /** Called once on the agent's thread after the last duty cycle. */
  onClose?(): void;
  /**
   * True if input is already waiting. Checked after announcing a sleep and before parking, so input
   * published in between is never slept through.
   */
  hasPendingInput?(): boolean;
  /**
   * Milliseconds until this agent next has timed work (a scheduler deadline), or `Infinity`. Parks end
   * no later than that.
   */
  millisToNextDeadline?(): number;
}
