/**
 * Runs one lifecycle phase over a group of components on this agent: forward phases (init, start,
 * startComplete) in order, stopping at the first failure, which fails the boot; stop and tearDown in
 * reverse order and through failures, each reported, so one component's failure never keeps the others
 * from stopping.
 *
 * @module
 */
import { describeThrown } from "../errors.ts";
import { ComponentFailureError, type LifecyclePhase } from "../protocol.ts";
import { type ComponentLifecycle, isForwardPhase } from "./component-lifecycle.ts";

/** Told of every component that threw during a phase (forward phases also throw a ComponentFailureError). */
export type PhaseFailure = (component: ComponentLifecycle, phase: LifecyclePhase, thrown: unknown) => void;

/**
 * @example
 * ```ts
 * await runPhase(handlers.map((h) => h.lifecycle), "start", "processor", (component, phase, thrown) => count(component));
 * ```
 */
export async function runPhase(components: readonly ComponentLifecycle[], phase: LifecyclePhase, agent: string, failed: PhaseFailure): Promise<void> {
  const forward = isForwardPhase(phase);
  for (const component of forward ? components : [...components].reverse()) {
    try {
      await component.run(phase);
    } catch (thrown) {
      failed(component, phase, thrown);
      if (forward) {
        const { message, stack } = describeThrown(thrown);
        throw new ComponentFailureError({ component: `${component.kind} "${component.name}"${component.source ? ` (${component.source})` : ""} on agent "${agent}"`, phase, message, stack });
      }
    }
  }
}
