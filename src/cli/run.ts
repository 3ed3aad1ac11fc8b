/**
 * `mongoose run`: boots a server and keeps it running until SIGINT/SIGTERM, then stops it gracefully
 * (a second signal forces exit).
 *
 * @module
 */
import process from "node:process";
import { demoConfig, startDemoTrades } from "../demo/demo.ts";
import { MongooseServer, type ServerOptions } from "../server.ts";

/** Runs the built-in demo until a signal arrives; resolves with the exit code. */
export async function runDemo(options: ServerOptions): Promise<number> {
  const server = await MongooseServer.boot(demoConfig(), options);
  const stopTrades = startDemoTrades(server);
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) {
        console.error(`${signal} again: exiting without draining`);
        process.exit(1);
      }
      stopping = true;
      stopTrades();
      server.stop().then((report) => resolve(report.clean ? 0 : 1));
    };
    process.on("SIGINT", () => onSignal("SIGINT"));
    process.on("SIGTERM", () => onSignal("SIGTERM"));
  });
}
