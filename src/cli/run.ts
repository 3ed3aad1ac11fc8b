/**
 * `mongoose run`: boots a server and keeps it running until SIGINT/SIGTERM, then stops it gracefully
 * (a second signal forces exit). A signal during the boot aborts the boot. SIGHUP reloads the YAML file
 * (only `configMap` changes apply live); it never exits, which would skip the drain. The tuning overlay
 * next to the file (`app.yaml` → `app.tuning.yaml`), if there is one, is applied once the server started.
 *
 * @module
 */
import process from "node:process";
import { overlayPathFor } from "../config/tuning-overlay.ts";
import { type LoadedConfig, loadYamlConfig } from "../config/yaml-loader.ts";
import { createLogger } from "../log/log.ts";
import { SUPERVISOR_AGENT } from "../plan/types.ts";
import { MongooseServer, type ServerOptions } from "../server.ts";
import { withAdminPortFromEnv } from "./admin-port-env.ts";
import { reloadOnHangup } from "./reload-on-hangup.ts";

/**
 * Runs the configuration until a signal arrives; resolves with the exit code.
 *
 * @example
 * ```ts
 * process.exit(await run(loadYamlConfig("app.yaml"), { logLevel: "info" }));
 * ```
 */
export async function run(source: LoadedConfig, options: ServerOptions): Promise<number> {
  const log = createLogger({ level: options.logLevel ?? "info", format: options.logFormat ?? "text" }, { agent: SUPERVISOR_AGENT });
  // Listen before booting: a signal that arrives while agents start aborts the boot, which stops them.
  let requestStop = () => {};
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  const bootAborter = new AbortController();
  let booted = false;
  let signals = 0;
  const onSignal = (signal: string) => {
    if (signals++ > 0) {
      console.error(`${signal} again: exiting without draining`);
      process.exit(1);
    }
    if (booted) {
      log.info(`${signal} received: stopping (press Ctrl-C again to exit without draining)`);
      requestStop();
    } else {
      log.warn(`${signal} received during boot: aborting the boot (press Ctrl-C again to exit at once)`);
      bootAborter.abort(new Error(`${signal} received`));
    }
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  // SIGHUP (e.g. the terminal closed) reloads the configuration file; it never ends the server without a drain.
  let server: MongooseServer | undefined;
  // The reloaded file gets the same MONGOOSE_ADMIN_PORT as the booted one, or the port would read as a change.
  reloadOnHangup(() => server, log, source.path === undefined ? undefined : () => withAdminPortFromEnv(loadYamlConfig(source.path!), process.env));
  // Runtime tuning persisted with `mongoose admin --persist` lives next to the configuration.
  const tuningOverlay = source.path === undefined ? undefined : overlayPathFor(source.path);
  server = await MongooseServer.bootLoaded(withAdminPortFromEnv(source, process.env), { adminByDefault: true, tuningOverlay, ...options, signal: bootAborter.signal });
  booted = true;
  // Last line of the boot, so a newcomer running the demo finds where to look once the output settles.
  if (server.adminUrl) log.info(`dashboard: ${server.adminUrl} (open it in a browser)`);
  await stopRequested;
  const report = await server.stop();
  return report.clean ? 0 : 1;
}
