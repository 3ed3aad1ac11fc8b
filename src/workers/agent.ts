/**
 * Worker entry point of an agent thread. Kept tiny: the logic lives in `core/agent-worker.ts`.
 * (`bun build --compile` needs this file as an extra entrypoint.)
 *
 * @module
 */
import { serveAgentWorker } from "../core/agent-worker.ts";
import type { AgentMessage, SupervisorMessage } from "../core/protocol.ts";

const scope = globalThis as unknown as {
  postMessage(message: AgentMessage): void;
  addEventListener(type: "message", listener: (event: MessageEvent<SupervisorMessage>) => void): void;
};

serveAgentWorker({
  post: (message) => scope.postMessage(message),
  onMessage: (listener) => scope.addEventListener("message", (event) => listener(event.data)),
});
