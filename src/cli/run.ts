/**
 * `mongoose run`: boots a server and keeps it running until SIGINT/SIGTERM, then stops it gracefully
 * (a second signal forces exit).
 *
 * @module
 */
import process from "node:process";
import type { LoadedConfig } from "../config/yaml-loader.ts";
import { createLogger } from "../log/log.ts";
import { MongooseServer, type ServerOptions } from "../server.ts";
import { reloadOnHangup } from "./reload-on-hangup.ts";

/** Runs the configuration until a signal arrives; resolves with the exit code. */
export async function run(source: LoadedConfig, options: ServerOptions): Promise<number> {
  // Listen before booting: a signal that arrives while agents start must still stop them gracefully.
  let requestStop = () => {};
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  let signals = 0;
  const onSignal = (signal: string) => {
    if (signals++ > 0) {
      console.error(`${signal} again: exiting without draining`);
      process.exit(1);
    }
    requestStop();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  let server: MongooseServer | undefined;
  reloadOnHangup(() => server, createLogger({ level: options.logLevel ?? "info", format: options.logFormat ?? "text" }, { component: "reload" }));
  server = await MongooseServer.bootLoaded(source, options);
  await stopRequested;
  const report = await server.stop();
  return report.clean ? 0 : 1;
}
