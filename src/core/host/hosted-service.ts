/**
 * One service instance on its agent: its instance, context and lifecycle, its share of the duty cycle
 * (`doWork` from `startComplete` until `stop`) and the delivery of what it subscribed to. A throw from
 * `doWork` or `onEvent` is reported and the service goes on, as for handlers.
 *
 * @module
 */
import type { ServicePlan } from "../../plan/types.ts";
import type { EventMeta } from "../handler-api.ts";
import type { Service } from "../service-api.ts";
import type { ComponentErrors } from "./component-errors.ts";
import { ComponentLifecycle } from "./component-lifecycle.ts";
import type { EventReceiver } from "./feed-delivery.ts";
import type { ServiceContextImpl } from "./service-context.ts";

/**
 * @example
 * ```ts
 * const hosted = new HostedService(plan, instance, context, errors);
 * await hosted.lifecycle.run("init");
 * hosted.runDutyCycle(); // work done by its doWork (0 until startComplete)
 * ```
 */
export class HostedService implements EventReceiver {
  readonly subscriptions = new Set<string>();
  readonly lifecycle: ComponentLifecycle;

  constructor(readonly plan: ServicePlan, readonly instance: Service, readonly context: ServiceContextImpl, private readonly errors: ComponentErrors) {
    this.lifecycle = new ComponentLifecycle("service", plan.name, (phase) => {
      if (phase === "init" || phase === "start") return instance[phase]?.(context);
      return instance[phase]?.();
    });
  }

  get name(): string {
    return this.plan.name;
  }

  /** Runs `doWork` once the service completed its start and until it stops; returns the work done. */
  runDutyCycle(): number {
    if (!this.instance.doWork || this.lifecycle.state !== "completed") return 0;
    try {
      return this.instance.doWork();
    } catch (thrown) {
      this.errors.report("service", this.plan.name, "doWork", thrown);
      return 0;
    }
  }

  millisToNextDeadline(): number {
    return this.instance.millisToNextDeadline && this.lifecycle.state === "completed" ? this.instance.millisToNextDeadline() : Infinity;
  }

  deliver(event: unknown, meta: EventMeta): void {
    try {
      const result = this.instance.onEvent!(event, meta) as unknown;
      if (result !== undefined && typeof (result as Promise<unknown>).then === "function") {
        const { feed, sequenceNumber } = meta;
        (result as Promise<unknown>).then(undefined, (thrown) => this.errors.report("service", this.plan.name, "onEvent", thrown, { feed, sequenceNumber, event }));
      }
    } catch (thrown) {
      this.errors.report("service", this.plan.name, "onEvent", thrown, { feed: meta.feed, sequenceNumber: meta.sequenceNumber, event });
    }
  }
}
