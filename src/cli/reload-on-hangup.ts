/**
 * `mongoose run`'s SIGHUP: reload the YAML file and apply what can change live (the `configMap`s),
 * logging what was applied, what needs a restart, and what was rejected. On any error the server keeps
 * running with the config it has. With `admin.auditLog` set, each reload is audited (`via: signal`).
 *
 * @module
 */
import process from "node:process";
import type { Logger } from "../log/log.ts";
import type { LoadedConfig } from "../config/yaml-loader.ts";
import type { MongooseServer } from "../server.ts";

/**
 * Reloads the server's configuration file on every SIGHUP (read again by `load`, by default the file the
 * server was booted from); returns a function that stops listening.
 * Listen before booting: a SIGHUP's default action ends the process. One that arrives while the server
 * boots (`server()` still undefined) is logged and ignored.
 *
 * @example
 * ```ts
 * let server: MongooseServer | undefined;
 * const stopReloading = reloadOnHangup(() => server, logger);
 * server = await MongooseServer.bootYamlFile("app.yaml");
 * ```
 */
export function reloadOnHangup(running: () => MongooseServer | undefined, log: Logger, load?: () => LoadedConfig): () => void {
  let reloading = Promise.resolve();
  const reload = async () => {
    const server = running();
    if (!server) return log.warn("SIGHUP while the server boots: ignored");
    log.info("SIGHUP: reloading the configuration file");
    try {
      const report = await server.reloadConfig(load, { via: "signal" });
      for (const error of report.errors) log.error("reload failed, the running configuration stays", { problem: error });
      for (const change of report.applied) log.info("config applied", { handler: `${change.agent}/${change.handler}`, config: change.config });
      for (const change of report.rejected) log.error("config rejected, the old one stays", { handler: `${change.agent}/${change.handler}`, reason: change.error });
      for (const path of report.needsRestart) log.warn("needs a restart, ignored until then", { change: path });
      if (report.errors.length === 0) log.info("reload done", { applied: report.applied.length, rejected: report.rejected.length, needsRestart: report.needsRestart.length });
    } catch (thrown) {
      log.error("reload failed, the running configuration stays", { problem: (thrown as Error).message ?? String(thrown) });
    }
  };
  // One reload at a time, in signal order.
  const onHangup = () => void (reloading = reloading.then(reload));
  process.on("SIGHUP", onHangup);
  return () => process.off("SIGHUP", onHangup);
}
