/**
 * Handlers' admin commands in the server's registry: each one a route to its handler's agent. Kept up to
 * date from the agents' `commands` events; an agent that dies or closes takes its commands with it.
 *
 * @module
 */
import type { AgentEndpoint } from "../agent-endpoint.ts";
import { CommandError } from "../commands/command-error.ts";
import type { CommandRegistry } from "../commands/command-registry.ts";
import type { JsonValue } from "../commands/json-value.ts";
import type { AgentEvent } from "../protocol.ts";

/** Called when a handler's command could not be registered (a clash with another agent's handler). */
export type RegistrationRefused = (agent: string, handler: string, command: string, message: string) => void;

/**
 * @example
 * ```ts
 * const routes = new CommandRoutes(registry, (name) => agents.get(name), 30_000, refused);
 * routes.changed("processor", { event: "commands", handler: "pnl", registered: [{ name: "pnl.reset", description: "", usage: "pnl.reset" }], unregistered: [] });
 * await registry.invoke("pnl.reset"); // runs on agent "processor"
 * ```
 */
export class CommandRoutes {
  constructor(
    private readonly registry: CommandRegistry,
    private readonly agent: (name: string) => AgentEndpoint | undefined,
    /** Extra time an agent's reply is awaited after the caller's timeout, so a late reply is logged rather than lost silently. */
    private readonly lateReplyWindowMs: number,
    private readonly refused: RegistrationRefused,
  ) {}

  /** Applies an agent's `commands` event to the registry. */
  changed(agentName: string, change: Extract<AgentEvent, { event: "commands" }>): void {
    const owner = `${agentName}/${change.handler}`;
    for (const name of change.unregistered) this.registry.unregister(name, owner);
    for (const command of change.registered) {
      try {
        this.registry.register({ ...command, owner, run: (args) => this.call(agentName, change.handler, command.name, args as JsonValue | undefined) });
      } catch (thrown) {
        this.refused(agentName, change.handler, command.name, (thrown as Error).message);
      }
    }
  }

  /** Drops every command of the agent's handlers (it died or was closed). */
  agentGone(agentName: string): void {
    this.registry.unregisterWhere((owner) => owner.startsWith(`${agentName}/`));
  }

  private async call(agentName: string, handler: string, name: string, args: JsonValue | undefined): Promise<JsonValue> {
    const agent = this.agent(agentName);
    if (!agent) throw new CommandError("failed", name, `command "${name}": agent "${agentName}" is not running`);
    const timeoutMs = this.registry.timeoutMs + this.lateReplyWindowMs;
    const outcome = await agent.request({ op: "command", handler, name, args }, timeoutMs).catch((thrown: Error) => {
      throw new CommandError("failed", name, `command "${name}" (${agentName}/${handler}) failed: ${thrown.message}`);
    });
    if (!outcome.ok) throw new CommandError(outcome.failure.kind, name, outcome.failure.message);
    return outcome.value;
  }
}
