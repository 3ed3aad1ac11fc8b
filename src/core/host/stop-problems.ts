/**
 * What went wrong on an agent that makes its server's stop unclean, kept until the stop sequence asks
 * (the `problems` request, after the last tearDown): a component whose `stop` or `tearDown` threw, and
 * data a component declared lost for good (a sink whose writes failed). Errors a component reports
 * and recovers from (a handler throwing on one event) are not problems of the stop.
 *
 * @module
 */
import { describeThrown } from "../errors.ts";

/**
 * @example
 * ```ts
 * const problems = new StopProblems("io-agent");
 * problems.phaseFailed("handler", "pnl", "stop", new Error("boom"));
 * problems.lost("sink", "out", 12, enospc);
 * problems.list(); // ['handler "pnl" on agent "io-agent" failed during stop: Error: boom', 'sink "out" lost 12 values: Error: ENOSPC…']
 * ```
 */
export class StopProblems {
  private readonly failures: string[] = [];
  /** Values lost per component, with the last cause. */
  private readonly losses = new Map<string, { count: number; cause: string }>();

  constructor(private readonly agent: string) {}

  /** A reverse lifecycle phase (stop, tearDown) threw; the others went on. */
  phaseFailed(kind: string, name: string, phase: string, thrown: unknown): void {
    this.failures.push(`${kind} "${name}" on agent "${this.agent}" failed during ${phase}: ${describeThrown(thrown).message}`);
  }

  /** `count` values will never reach their destination, because of `cause`. */
  lost(kind: string, name: string, count: number, cause: unknown): void {
    const key = `${kind} "${name}"`;
    const previous = this.losses.get(key)?.count ?? 0;
    this.losses.set(key, { count: previous + count, cause: describeThrown(cause).message });
  }

  /** Every problem so far, failures first. */
  list(): string[] {
    return [...this.failures, ...[...this.losses].map(([component, { count, cause }]) => `${component} on agent "${this.agent}" lost ${count.toLocaleString("en-US")} values: ${cause}`)];
  }
}
