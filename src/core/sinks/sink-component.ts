/**
 * The interface every sink implements, built-in or plugin: values arrive on the agent that hosts the
 * sink, one call per value, in the order each producing agent sent them.
 *
 * @module
 */
import type { EventMeta } from "../handler-api.ts";

/**
 * A sink as its hosting agent sees it. Lifecycle methods are optional and run on the hosting agent.
 *
 * @example
 * ```ts
 * const upper: SinkComponent = { name: "upper", accept: (value) => console.log(String(value).toUpperCase()) };
 * ```
 */
export interface SinkComponent {
  readonly name: string;
  init?(): void | Promise<void>;
  start?(): void | Promise<void>;
  startComplete?(): void | Promise<void>;
  /** One value; `meta.feed` is the name of the agent that sent it. */
  accept(value: unknown, meta: EventMeta): void;
  /** Push out anything buffered: called when the hosting agent goes idle after values, and before stop. */
  flush?(): void;
  stop?(): void | Promise<void>;
  tearDown?(): void | Promise<void>;
}
