/**
 * Builds the sink component for a configured sink type.
 *
 * @module
 */
import type { SinkPlan } from "../../config/plan.ts";
import { ConsoleSink } from "./console-sink.ts";
import { MemorySink } from "./memory-sink.ts";
import type { SinkComponent } from "./sink-component.ts";

const factories: Record<string, (plan: SinkPlan) => SinkComponent> = {
  memory: (plan) => new MemorySink(plan.name),
  console: (plan) => new ConsoleSink(plan.name),
};

/** Creates the sink a plan describes; the configuration schema guarantees the type is known. */
export function createSink(plan: SinkPlan): SinkComponent {
  const factory = factories[plan.type];
  if (!factory) throw new Error(`no sink implementation for type "${plan.type}"`);
  return factory(plan);
}
