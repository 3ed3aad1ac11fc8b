/**
 * Errors the server reports: what a user sees when a handler throws, a boot step fails, or an agent dies.
 *
 * @module
 */
import type { Logger } from "../log/log.ts";

/** What kind of component an error came from. */
export type ErrorSource = "handler" | "service" | "sink" | "feed" | "agent" | "decode";

/** One reported error, with enough context to find the event and the code that failed. */
export interface ErrorReport {
  /** Wall-clock epoch milliseconds. */
  time: number;
  source: ErrorSource;
  agent: string;
  /** Handler, service, sink or feed name (the agent name for agent-level errors). */
  component: string;
  /** Lifecycle phase or "onEvent" / "accept". */
  phase: string;
  message: string;
  stack?: string;
  feed?: string;
  sequenceNumber?: number;
  /** A short, truncated rendering of the event. */
  event?: string;
  /** Reports of the same component dropped by rate limiting just before this one. */
  suppressed?: number;
}

/** A boot step failed; the server stopped what it had started. */
export class BootError extends Error {
  constructor(readonly component: string, readonly phase: string, readonly causeMessage: string) {
    super(`${component} failed during ${phase}: ${causeMessage}`);
    this.name = "BootError";
  }
}

const SUMMARY_LIMIT = 200;

/**
 * A short, never-throwing rendering of an event for logs.
 *
 * @example
 * ```ts
 * summarizeEvent({ id: 7, text: "x".repeat(500) }).length <= 200; // true
 * ```
 */
export function summarizeEvent(event: unknown): string {
  let text: string;
  try {
    text = typeof event === "string" ? JSON.stringify(event) : JSON.stringify(event) ?? String(event);
  } catch {
    text = Object.prototype.toString.call(event);
  }
  return text.length > SUMMARY_LIMIT ? text.slice(0, SUMMARY_LIMIT - 1) + "…" : text;
}

/** Renders any thrown value as message and stack. */
export function describeThrown(thrown: unknown): { message: string; stack?: string } {
  if (thrown instanceof Error) return { message: `${thrown.name}: ${thrown.message}`, stack: thrown.stack };
  return { message: String(thrown) };
}

const WINDOW_MS = 5_000;
const REPORTS_PER_WINDOW = 10;

/**
 * Logs and forwards error reports, at most 10 per component per 5 s; the rest are counted and the next
 * report that gets through says how many were suppressed. Counting errors is the counters' job, so
 * nothing here is on the accounting path.
 *
 * @example
 * ```ts
 * const reporter = new ErrorReporter(log, (report) => port.post(report));
 * reporter.report({ source: "handler", agent: "a", component: "h", phase: "onEvent", message: "boom", time: Date.now() });
 * ```
 */
export class ErrorReporter {
  private readonly windows = new Map<string, { startedAt: number; reported: number; suppressed: number }>();

  constructor(private readonly log: Logger, private readonly forward: (report: ErrorReport) => void) {}

  report(report: ErrorReport): void {
    const key = `${report.source}:${report.component}`;
    const now = performance.now();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt > WINDOW_MS) {
      window = { startedAt: now, reported: 0, suppressed: window?.suppressed ?? 0 };
      this.windows.set(key, window);
    }
    if (window.reported >= REPORTS_PER_WINDOW) {
      window.suppressed++;
      return;
    }
    window.reported++;
    if (window.suppressed > 0) {
      report.suppressed = window.suppressed;
      window.suppressed = 0;
    }
    const { time: _time, message, stack: _stack, ...context } = report;
    this.log.error(message, context);
    this.forward(report);
  }
}
