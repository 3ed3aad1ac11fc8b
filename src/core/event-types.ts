/**
 * The fixed-layout event types of one server, as one thread sees them: each declared type laid out and
 * bound to the codec id the plan gave it, and the codec table that decodes this server's records.
 * Every thread builds its own from the same plan, so ids agree without sharing objects.
 *
 * @module
 */
import type { EventTypePlan } from "../plan/types.ts";
import { CodecTable } from "../transport/codecs.ts";
import { EventType } from "../transport/fixed-layout.ts";

/**
 * @example
 * ```ts
 * const types = new EventTypes([{ name: "Tick", fields: { px: "f64" }, codecId: 8 }]);
 * types.get("Tick").byteLength; // 8
 * types.codecs.get(8)?.name;    // "Tick"
 * ```
 */
export class EventTypes {
  private readonly byName = new Map<string, EventType>();
  /** Built-in codecs plus one per declared type. */
  readonly codecs: CodecTable;

  constructor(plans: readonly EventTypePlan[]) {
    for (const plan of plans) this.byName.set(plan.name, new EventType(plan, plan.codecId));
    this.codecs = new CodecTable([...this.byName.values()].map((type) => type.codec));
  }

  /** The type called `name`; throws naming the declared types if there is none. */
  get(name: string): EventType {
    const type = this.byName.get(name);
    if (!type) throw new Error(`no event type "${name}" (eventTypes: ${[...this.byName.keys()].join(", ") || "none"})`);
    return type;
  }
}
