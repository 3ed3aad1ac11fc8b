/**
 * Structured logging for every thread. Lines go to stderr (stdout is left to data, e.g. the console sink),
 * as text or JSON lines. Each agent builds its own logger from the same settings, so worker logs look like
 * the supervisor's. Nothing on the hot path logs.
 *
 * @module
 */

/** Severity levels, lowest first; `silent` logs nothing. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFormat = "text" | "json";
export type LogFields = Record<string, unknown>;

/** Settings shared by the supervisor and its agents. */
export interface LogSettings {
  level: LogLevel;
  format: LogFormat;
}

/** A logger with fixed context fields (agent, handler…). */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  /** True if `level` would be written (skip building expensive messages otherwise). */
  enabled(level: LogLevel): boolean;
}

/** Where lines go; replaceable for tests and embedding. */
export type LogWriter = (line: string) => void;

const writeToStderr: LogWriter = (line) => console.error(line);

function formatValue(value: unknown): string {
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (value instanceof Error) return JSON.stringify(value.message);
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Creates a logger.
 *
 * @example
 * ```ts
 * const log = createLogger({ level: "info", format: "text" }).child({ agent: "processor" });
 * log.info("started", { handlers: 2 });
 * // 2026-11-27T20:00:00.000Z INFO  started agent=processor handlers=2
 * ```
 */
export function createLogger(settings: LogSettings, fields: LogFields = {}, write: LogWriter = writeToStderr): Logger {
  const threshold = LOG_LEVELS.indexOf(settings.level);
  const enabled = (level: LogLevel) => LOG_LEVELS.indexOf(level) >= threshold && level !== "silent";
  const emit = (level: LogLevel, message: string, extra?: LogFields) => {
    if (!enabled(level)) return;
    const all = extra ? { ...fields, ...extra } : fields;
    const time = new Date().toISOString();
    if (settings.format === "json") {
      write(JSON.stringify({ time, level, message, ...all }, (_key, value) => (value instanceof Error ? value.message : value)));
    } else {
      // A field without a value says nothing (JSON.stringify leaves it out of JSON lines too).
      const context = Object.entries(all).filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${formatValue(value)}`).join(" ");
      write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${context ? " " + context : ""}`);
    }
  };
  return {
    debug: (message, extra) => emit("debug", message, extra),
    info: (message, extra) => emit("info", message, extra),
    warn: (message, extra) => emit("warn", message, extra),
    error: (message, extra) => emit("error", message, extra),
    child: (more) => createLogger(settings, { ...fields, ...more }, write),
    enabled,
  };
}
