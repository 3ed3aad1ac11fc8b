/**
 * Every counter block the supervisor reads: one per agent, laid out at its boot, and one per handler or
 * feed registered at runtime (an agent's layout cannot grow once its thread shares it). A removed
 * component's counters stop being reported: its own block is dropped, or its slots in its agent's block
 * are retired.
 *
 * @module
 */
import { allocateCounters, componentCounterLayout, CounterBlock, type CounterSample } from "../counters.ts";

/** A component that has counters of its own: its counters carry `{ [kind]: name }` among their labels. */
export type CountedKind = "handler" | "feed";

const keyOf = (agent: string, kind: CountedKind, name: string) => JSON.stringify([agent, kind, name]);

/**
 * @example
 * ```ts
 * const blocks = new CounterBlocks();
 * blocks.addAgent("processor", agentBlock);
 * const buffer = blocks.allocate("processor", "handler", "late"); // sent to the agent with the handler
 * blocks.remove("processor", "handler", "late");
 * blocks.samples(); // the agent's counters only
 * ```
 */
export class CounterBlocks {
  private readonly agents = new Map<string, CounterBlock>();
  private readonly components = new Map<string, { agent: string; block: CounterBlock }>();
  /** Components removed from an agent's own block: labels to leave out when reading it. */
  private readonly retired = new Map<string, { kind: CountedKind; name: string }[]>();

  addAgent(agent: string, block: CounterBlock): void {
    this.agents.set(agent, block);
  }

  /** Forgets an agent and the blocks of its components. */
  removeAgent(agent: string): void {
    this.agents.delete(agent);
    this.retired.delete(agent);
    for (const [key, entry] of this.components) if (entry.agent === agent) this.components.delete(key);
  }

  /** Allocates the block of a component registered at runtime; the agent builds the same layout over it. */
  allocate(agent: string, kind: CountedKind, name: string): SharedArrayBuffer {
    const layout = componentCounterLayout({ agent, handlers: kind === "handler" ? [name] : [], feeds: kind === "feed" ? [name] : [] });
    const buffer = allocateCounters(layout);
    this.components.set(keyOf(agent, kind, name), { agent, block: new CounterBlock(buffer, layout) });
    return buffer;
  }

  /** A component was removed: its counters are no longer reported. */
  remove(agent: string, kind: CountedKind, name: string): void {
    if (this.components.delete(keyOf(agent, kind, name))) return;
    this.retired.set(agent, [...this.retired.get(agent) ?? [], { kind, name }]);
  }

  /** Every counter of every agent and runtime-registered component. */
  samples(): CounterSample[] {
    const fromAgents = [...this.agents].flatMap(([agent, block]) => {
      const retired = this.retired.get(agent) ?? [];
      return block.read().filter((sample) => !retired.some(({ kind, name }) => sample.labels[kind] === name));
    });
    return [...fromAgents, ...[...this.components.values()].flatMap(({ block }) => block.read())];
  }
}
