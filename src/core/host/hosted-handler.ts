/**
 * One handler on its agent: its instance, context, lifecycle and counters, and the delivery of an event
 * to `onEvent` (a throw or a rejected promise becomes a reported failure, never an agent failure).
 *
 * @module
 */
import type { Counter } from "../counters.ts";
import type { EventMeta, Handler } from "../handler-api.ts";
import type { HandlerTiming } from "../latency/handler-timing.ts";
import { ComponentLifecycle } from "./component-lifecycle.ts";
import type { EventReceiver } from "./feed-delivery.ts";
import type { HandlerContextImpl } from "./handler-context.ts";

/** Called when `onEvent` threw or its promise rejected. */
export type HandlerFailure = (handler: HostedHandler, thrown: unknown, feed: string, sequenceNumber: number, event: unknown) => void;

/**
 * @example
 * ```ts
 * const hosted = new HostedHandler("pnl", instance, context, events, errors, onFailure);
 * await hosted.lifecycle.run("init");
 * hosted.deliver(42, meta); // timed if it is the one event in sampleEvery
 * ```
 */
export class HostedHandler implements EventReceiver {
  /** Feeds and pipes this handler receives. */
  readonly subscriptions = new Set<string>();
  readonly lifecycle: ComponentLifecycle;

  constructor(
    readonly name: string,
    readonly instance: Handler,
    readonly context: HandlerContextImpl,
    private readonly events: Counter,
    readonly errors: Counter,
    private readonly failed: HandlerFailure,
    /** Undefined when latency recording is off: delivery then only tests this field. */
    private readonly timing?: HandlerTiming,
    /** The module it was loaded from (e.g. `./pnl.ts`); undefined for an in-process handler. */
    source?: string,
  ) {
    this.lifecycle = new ComponentLifecycle("handler", name, (phase) => {
      if (phase === "init" || phase === "start") return instance[phase]?.(context);
      return instance[phase]?.();
    }, source);
  }

  deliver(event: unknown, meta: EventMeta): void {
    this.events.inc();
    const timing = this.timing;
    if (timing !== undefined && timing.due()) {
      const started = timing.begin(meta.publishedNanos);
      this.invoke(event, meta);
      timing.end(started);
      return;
    }
    this.invoke(event, meta);
  }

  private invoke(event: unknown, meta: EventMeta): void {
    try {
      const result = this.instance.onEvent(event, meta) as unknown;
      if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
        const { feed, sequenceNumber } = meta;
        (result as Promise<unknown>).then(undefined, (thrown) => this.failed(this, thrown, feed, sequenceNumber, event));
      }
    } catch (thrown) {
      this.failed(this, thrown, meta.feed, meta.sequenceNumber, event);
    }
  }
}
