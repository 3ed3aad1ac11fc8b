/**
 * Rate-limited error reporting on one agent: at most 10 reports per component per 5 s are logged and
 * forwarded; the rest are held back and summed up in one summary when the window ends, e.g.
 * `handler h: 99,990 more errors suppressed in the last 5 s (onEvent: TypeError: …)`.
 *
 * The reporter runs only when something fails, never per event. A window ends when its component's next
 * error arrives after it, or when a timer fires: the timer is armed by the window's first suppressed
 * report (so a window without suppressions costs no timer), and does not hold the process open.
 * `flush()` ends every window at once: the agent calls it before it closes, so no summary is lost.
 *
 * @module
 */
import type { Logger } from "../log/log.ts";
import type { ErrorReport } from "./errors.ts";
import { unrefTimer } from "./keep-alive.ts";

const WINDOW_MS = 5_000;
const REPORTS_PER_WINDOW = 10;

interface Window {
  startedAt: number;
  reported: number;
  suppressed: number;
  /** The last report held back: the summary names its phase and message. */
  last?: ErrorReport;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Logs and forwards error reports, rate-limited per component. Counting errors is the counters' job, so
 * nothing here is on the accounting path.
 *
 * @example
 * ```ts
 * const reporter = new ErrorReporter(log, (report) => port.post(report));
 * reporter.report({ source: "handler", agent: "a", component: "h", phase: "onEvent", message: "boom", time: Date.now() });
 * reporter.flush(); // before the agent closes: summaries of windows still open
 * ```
 */
export class ErrorReporter {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly log: Logger, private readonly forward: (report: ErrorReport) => void, private readonly windowMs = WINDOW_MS) {}

  report(report: ErrorReport): void {
    const key = `${report.source}:${report.component}`;
    const now = performance.now();
    let window = this.windows.get(key);
    if (window && now - window.startedAt >= this.windowMs) {
      this.end(key, window);
      window = undefined;
    }
    if (!window) {
      window = { startedAt: now, reported: 0, suppressed: 0 };
      this.windows.set(key, window);
    }
    if (window.reported < REPORTS_PER_WINDOW) {
      window.reported++;
      this.emit(report);
      return;
    }
    window.suppressed++;
    window.last = report;
    if (window.timer === undefined) {
      const ending = window;
      ending.timer = setTimeout(() => this.windows.get(key) === ending && this.end(key, ending), ending.startedAt + this.windowMs - now);
      unrefTimer(ending.timer);
    }
  }

  /** Ends every window now, summarizing what each held back. */
  flush(): void {
    for (const [key, window] of [...this.windows]) this.end(key, window);
  }

  private end(key: string, window: Window): void {
    clearTimeout(window.timer);
    this.windows.delete(key);
    const last = window.last;
    if (!last) return;
    const seconds = Math.max(100, Math.min(this.windowMs, performance.now() - window.startedAt)) / 1_000;
    const message = `${last.source} ${last.component}: ${window.suppressed.toLocaleString("en-US")} more errors suppressed in the last ` +
      `${Number(seconds.toFixed(1))} s (${last.phase}: ${last.message})`;
    this.emit({ time: last.time, source: last.source, agent: last.agent, component: last.component, phase: last.phase, message, suppressed: window.suppressed });
  }

  private emit(report: ErrorReport): void {
    const { time: _time, message, stack: _stack, ...context } = report;
    this.log.error(message, context);
    this.forward(report);
  }
}
