/**
 * Worker entry point of an agent thread. Kept tiny: the logic lives in `core/host/agent-worker.ts`; this
 * entry picks the runtime adapter and hands it in.
 * (`bun build --compile` needs this file as an extra entrypoint.)
 *
 * @module
 */
import { serveAgentWorker } from "../core/host/agent-worker.ts";
import type { AgentMessage, SupervisorMessage } from "../core/protocol.ts";
import { runtime } from "../runtime/mod.ts";

const scope = globalThis as unknown as {
  postMessage(message: AgentMessage): void;
  addEventListener(type: "message", listener: (event: MessageEvent<SupervisorMessage>) => void): void;
};

serveAgentWorker({
  post: (message) => scope.postMessage(message),
  onMessage: (listener) => scope.addEventListener("message", (event) => listener(event.data)),
}, runtime);
