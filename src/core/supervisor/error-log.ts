/**
 * The supervisor's record of error reports from every agent: the most recent ones, and the listeners
 * (`server.onError`) told of each as it arrives.
 *
 * @module
 */
import type { Logger } from "../../log/log.ts";
import { describeThrown, type ErrorReport } from "../errors.ts";

/** How many reports {@link ErrorLog.recent} keeps. */
const RECENT_ERRORS = 100;

/**
 * @example
 * ```ts
 * const errors = new ErrorLog(log);
 * const stop = errors.listen((report) => console.log(report.message));
 * errors.record({ time: Date.now(), source: "agent", agent: "a", component: "a", phase: "run", message: "died" });
 * errors.recent(); // [that report]
 * ```
 */
export class ErrorLog {
  private readonly reports: ErrorReport[] = [];
  private readonly listeners = new Set<(report: ErrorReport) => void>();
  private reportedCount = 0;

  constructor(private readonly log: Logger) {}

  record(report: ErrorReport): void {
    this.reportedCount += report.suppressed ?? 1;
    this.reports.push(report);
    if (this.reports.length > RECENT_ERRORS) this.reports.shift();
    for (const listener of this.listeners) {
      try {
        listener(report);
      } catch (thrown) {
        this.log.warn("an onError listener threw", { cause: describeThrown(thrown).message });
      }
    }
  }

  /** Listens for every report from now on; returns a function that stops listening. */
  listen(listener: (report: ErrorReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many errors were reported since the start, those a summary stands for included. */
  get reported(): number {
    return this.reportedCount;
  }

  /** The last 100 reports, oldest first. */
  recent(): ErrorReport[] {
    return this.reports.slice();
  }
}
