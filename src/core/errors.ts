/**
 * Errors the server reports: what a user sees when a handler throws, a boot step fails, or an agent dies.
 *
 * @module
 */
import type { Logger } from "../log/log.ts";
import { isFixedEvent } from "../transport/fixed-layout.ts";

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
  /**
   * Set on a rate limiter's summary only: how many reports of this component it held back in its window
   * (`phase` and `message` then say which error was the last of them). The summary stands for them all.
   */
  suppressed?: number;
}

/** A boot step failed; the server stopped what it had started. */
export class BootError extends Error {
  constructor(readonly component: string, readonly phase: string, readonly causeMessage: string) {
    super(`${component} failed during ${phase}: ${causeMessage}`);
    this.name = "BootError";
  }
}

/**
 * A runtime registration (adding or removing a handler or feed) was refused or failed; the message names
 * the component. The server is as it was before the call.
 *
 * @example
 * ```ts
 * await server.removeHandler("processor/ghost").catch((e) => e instanceof RegistrationError); // true
 * ```
 */
export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistrationError";
  }
}

/**
 * A registration change named something that is not there (an unknown agent, handler or feed) or cannot
 * be changed (a pipe): the caller's mistake, so a command answers it as bad arguments (HTTP 400).
 *
 * @example
 * ```ts
 * throw new UnknownComponentError(`cannot remove feed "x": no such feed (feeds: in)`);
 * ```
 */
export class UnknownComponentError extends RegistrationError {}

const SUMMARY_LIMIT = 200;

/**
 * JSON for logs that hides no type: a bigint shows as `"1n"`, and a fixed-layout event shows its fields
 * as `toObject()` has them (its `toJSON()` turns i64/u64 into numbers, which would hide a bigint).
 */
function faithful(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  if (isFixedEvent(original)) return original.toObject();
  return typeof value === "bigint" ? `${value}n` : value;
}

/**
 * A short, never-throwing rendering of an event for logs.
 *
 * @example
 * ```ts
 * summarizeEvent({ id: 7, text: "x".repeat(500) }).length <= 200; // true
 * summarizeEvent({ big: 1n }); // '{"big":"1n"}'
 * ```
 */
export function summarizeEvent(event: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(event, faithful) ?? String(event);
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
