/**
 * The lifecycle every component follows, with the transitions allowed:
 *
 * `created → init → inited → start → started → startComplete → completed → stop → stopped → tearDown`
 *
 * A component whose `init`, `start` or `startComplete` threw takes no further forward step, but is still
 * stopped and torn down as far as it got: `stop` runs if it started, `tearDown` runs if it was inited.
 * Lifecycle methods may be async; the next step waits for the returned promise.
 *
 * @module
 */
import type { LifecyclePhase } from "../protocol.ts";

export type ComponentState = "created" | "inited" | "started" | "completed" | "stopped" | "tornDown";

const transitions: Record<LifecyclePhase, { from: ComponentState[]; to: ComponentState; forward: boolean }> = {
  init: { from: ["created"], to: "inited", forward: true },
  start: { from: ["inited"], to: "started", forward: true },
  startComplete: { from: ["started"], to: "completed", forward: true },
  stop: { from: ["started", "completed"], to: "stopped", forward: false },
  tearDown: { from: ["inited", "started", "completed", "stopped"], to: "tornDown", forward: false },
};

/** True for init, start and startComplete: a failure there fails the boot. */
export function isForwardPhase(phase: LifecyclePhase): boolean {
  return transitions[phase].forward;
}

/**
 * Tracks one component's state and runs its lifecycle methods only when the transition is allowed.
 *
 * @example
 * ```ts
 * const lifecycle = new ComponentLifecycle("handler", "pnl", (phase) => instance[phase]?.(ctx));
 * await lifecycle.run("init"); // true: init was called
 * await lifecycle.run("init"); // false: already inited
 * ```
 */
export class ComponentLifecycle {
  private current: ComponentState = "created";
  private failed = false;

  constructor(
    readonly kind: "handler" | "service" | "sink" | "feed",
    readonly name: string,
    private readonly call: (phase: LifecyclePhase) => unknown,
    /** The module it came from as the configuration names it (e.g. `./pnl.ts`), for failure messages. */
    readonly source?: string,
  ) {}

  get state(): ComponentState {
    return this.current;
  }

  /**
   * Runs `phase` if allowed from the current state (awaiting it if the method returns a promise); returns
   * whether it ran. Rethrows what the method threw.
   */
  async run(phase: LifecyclePhase): Promise<boolean> {
    const transition = transitions[phase];
    if (!transition.from.includes(this.current) || (transition.forward && this.failed)) return false;
    try {
      await this.call(phase);
    } catch (error) {
      if (transition.forward) this.failed = true;
      else this.current = transition.to;
      throw error;
    }
    this.current = transition.to;
    return true;
  }
}
