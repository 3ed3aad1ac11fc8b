/**
 * An idle strategy that can be replaced while its agent runs (runtime tuning: `busySpin` → `backoff` when
 * CPU is contended). The runner calls it from its own thread, and so does the replacement (a control
 * request handled between slices), so no cycle ever sees a half-made switch.
 *
 * @module
 */
import type { IdleStrategy, IdleStrategySpec } from "./idle-strategy.ts";

/**
 * @example
 * ```ts
 * const idle = new SwitchableIdleStrategy({ type: "busySpin" }, (spec) => createIdleStrategy(spec, parker));
 * idle.switchTo({ type: "blocking" }); // the next idle cycle parks
 * ```
 */
export class SwitchableIdleStrategy implements IdleStrategy {
  private current: IdleStrategy;

  constructor(spec: IdleStrategySpec, private readonly build: (spec: IdleStrategySpec) => IdleStrategy) {
    this.current = build(spec);
  }

  get name(): string {
    return this.current.name;
  }

  get spinning(): boolean {
    return this.current.spinning;
  }

  idle(workCount: number): void {
    this.current.idle(workCount);
  }

  reset(): void {
    this.current.reset();
  }

  /** Idle cycles from now on follow `spec` (starting with no backoff progress). */
  switchTo(spec: IdleStrategySpec): void {
    this.current = this.build(spec);
  }
}
