/**
 * Builds the sink a plan describes: a built-in type, or a plugin module (`type: module`).
 *
 * @module
 */
import type { SinkPlan } from "../../plan/types.ts";
import type { CounterBlock } from "../counters.ts";
import { importExport, instantiate, ModuleLoadError } from "../../modules/module-loader.ts";
import type { SinkPlugin } from "../plugin-api.ts";
import { ConsoleSink } from "./console-sink.ts";
import { type FanoutSettings, FanoutSink, type FanoutTarget } from "./fanout-sink.ts";
import { FileSink } from "./file-sink.ts";
import { MemorySink } from "./memory-sink.ts";
import { NatsSink } from "./nats-sink.ts";
import type { BoundaryTracer } from "../tracing/boundary-tracer.ts";

/** What a fan-out needs from its host. */
export interface FanoutWiring {
  targets: FanoutTarget[];
  report: ConstructorParameters<typeof FanoutSink>[2];
}

/**
 * Creates the sink; module plugins are imported on the calling (hosting) thread. `counters`: the block
 * holding the sink's own counters (a NATS sink's). `tracer`: given when `tracing:` is configured (a NATS
 * sink then publishes each value's trace context).
 */
export async function createSink(plan: SinkPlan, fanout: () => FanoutWiring, counters: CounterBlock, tracer?: () => Promise<BoundaryTracer>): Promise<SinkPlugin> {
  switch (plan.type) {
    case "memory":
      return new MemorySink(plan.name);
    case "console":
      return new ConsoleSink(plan.name);
    case "file":
      return new FileSink();
    case "nats":
      return new NatsSink(plan, counters, await tracer?.());
    case "fanout": {
      const { targets, report } = fanout();
      return new FanoutSink(targets, plan.settings as unknown as FanoutSettings, report);
    }
    case "module": {
      const plugin = await instantiate(await importExport(plan.module!));
      if (typeof plugin !== "object" || plugin === null || typeof (plugin as SinkPlugin).accept !== "function") {
        throw new ModuleLoadError(plan.module!.display, "the export is not a sink: expected a class, a factory or an object with an accept method (SinkPlugin)");
      }
      return plugin as SinkPlugin;
    }
    default:
      throw new Error(`no sink implementation for type "${plan.type}"`);
  }
}
