/**
 * The baseline's receiving worker: ticks arrive by postMessage (structured clone) and go to the same
 * {@link LatencyRecorder} the engine's handler uses, so both are counted and timed alike.
 *
 * @module
 */
import type { HandlerContext } from "../core/handler-api.ts";
import { ServerClock } from "../time/clock.ts";
import LatencyRecorder from "./latency-handler.ts";

interface Init {
  init: { epochOriginMs: number; sampleEvery: number };
}

const scope = globalThis as unknown as { postMessage(message: unknown): void; addEventListener(type: "message", listener: (event: MessageEvent<Init | object>) => void): void };
const recorder = new LatencyRecorder();

scope.addEventListener("message", (message) => {
  const data = message.data;
  if (!("init" in data)) return recorder.onEvent(data);
  const { init } = data as Init;
  const context = {
    clock: new ServerClock(init.epochOriginMs),
    config: { sampleEvery: init.sampleEvery },
    sink: () => ({ name: "results", accept: (report: unknown) => scope.postMessage(report) }),
  };
  recorder.start(context as unknown as HandlerContext);
  scope.postMessage("ready");
});
