/**
 * Collects the rings an agent's components ask for (feeds subscribed to, sinks written to) so the
 * supervisor can connect them in one batch: during a lifecycle phase they travel in the phase's reply;
 * outside one (a handler's first `ctx.sink()` in `onEvent`) they are sent as one `wants` event per turn.
 *
 * @module
 */
import type { Wants } from "../protocol.ts";

const none = (): Wants => ({ subscriptions: [], sinks: [] });

/**
 * @example
 * ```ts
 * const wants = new WantsCollector((batch) => port.post({ event: "wants", wants: batch }));
 * const reply = await wants.during(() => handlers.start()); // subscriptions made in start()
 * ```
 */
export class WantsCollector {
  private pending = none();
  private phases = 0;
  private sendScheduled = false;

  constructor(private readonly send: (wants: Wants) => void) {}

  subscription(handler: string, feed: string): void {
    this.pending.subscriptions.push({ handler, feed });
    this.changed();
  }

  sink(name: string): void {
    this.pending.sinks.push(name);
    this.changed();
  }

  /**
   * Runs a lifecycle phase and returns what was asked for while it ran (plus anything still unsent). A
   * phase that fails drops the subscriptions made in it (its handler is removed, or the boot fails);
   * sinks stay asked for, since the agent's writer for them serves every handler.
   */
  async during(phase: () => Promise<void>): Promise<Wants> {
    const subscriptionsBefore = this.pending.subscriptions.length;
    this.phases++;
    try {
      await phase();
    } catch (thrown) {
      this.pending.subscriptions.length = subscriptionsBefore;
      throw thrown;
    } finally {
      this.phases--;
    }
    return this.take();
  }

  private take(): Wants {
    const taken = this.pending;
    this.pending = none();
    return taken;
  }

  private changed(): void {
    if (this.phases > 0 || this.sendScheduled) return;
    this.sendScheduled = true;
    queueMicrotask(() => {
      this.sendScheduled = false;
      // A phase that started meanwhile returns them in its reply.
      if (this.phases > 0) return;
      const wants = this.take();
      if (wants.subscriptions.length > 0 || wants.sinks.length > 0) this.send(wants);
    });
  }
}
