import { afterAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CONFIG_SCHEMA_VERSION, ConfigError, ENGINE_VERSION, MongooseServer, PLUGIN_API_VERSION } from "../../src/mod.ts";
import { pluginApiMismatch } from "../../src/modules/plugin-manifest.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const PLUGINS = fileURLToPath(new URL("../../config/examples/plugins/", import.meta.url));
const folder = tempDir("mongoose-plugin-versions-");
afterAll(() => folder.cleanup());

/** A handler module declaring `manifest` (or nothing), written into the test's folder. */
function handlerModule(file: string, manifest?: string): string {
  const declared = manifest === undefined ? "" : `export const mongoosePlugin = ${manifest};\n`;
  writeFileSync(folder.path(file), `${declared}export default class Echo { onEvent(_event: unknown) {} }\n`);
  return folder.path(file);
}

const yamlWith = (handler: string) => [
  "eventFeeds: [{name: in, type: memory, broadcast: true}]",
  "eventHandlers:",
  "  - agentName: a",
  "    eventHandlers:",
  `      echo: {handler: ${handler}}`,
  "",
].join("\n");

const NEXT_MAJOR = `${Number(PLUGIN_API_VERSION.split(".")[0]) + 1}`;
const NEXT_MINOR = `${PLUGIN_API_VERSION.split(".")[0]}.${Number(PLUGIN_API_VERSION.split(".")[1]) + 1}`;

describe("plugin API versions", () => {
  it("accepts the same major at this minor or below, refuses another major, a newer minor and a malformed version", () => {
    expect(pluginApiMismatch("1", "1.0")).toBeUndefined();
    expect(pluginApiMismatch("1.0", "1.2")).toBeUndefined();
    expect(pluginApiMismatch("1.2", "1.2")).toBeUndefined();
    expect(pluginApiMismatch("2", "1.2")).toBe("another major (2)");
    expect(pluginApiMismatch("0.9", "1.2")).toBe("another major (0)");
    expect(pluginApiMismatch("1.3", "1.2")).toBe("a newer minor (1.3)");
    expect(pluginApiMismatch("v1", "1.2")).toContain('"MAJOR" or "MAJOR.MINOR"');
  });

  it("mongoose validate refuses a plugin declaring another major or a newer minor, naming the module, what it declares and what the engine supports, at its YAML line", async () => {
    for (const [file, pluginApi] of [["next-major.ts", NEXT_MAJOR], ["next-minor.ts", NEXT_MINOR]]) {
      const module = handlerModule(file, `{ name: "future", version: "3.1.0", pluginApi: "${pluginApi}" }`);
      writeFileSync(folder.path("app.yaml"), yamlWith(module));
      const { code, stderr } = await runProgram(runtimeCommand(MAIN, ["validate", folder.path("app.yaml")]));
      expect(code).toBe(2);
      expect(stderr).toContain("app.yaml:5:23 eventHandlers[0].eventHandlers.echo.handler:");
      expect(stderr).toContain(`${module} (export mongoosePlugin)`);
      expect(stderr).toContain(`plugin "future" 3.1.0 declares pluginApi "${pluginApi}"`);
      expect(stderr).toContain(`this engine supports plugin API ${PLUGIN_API_VERSION}`);
    }
  });

  it("mongoose run refuses it before anything starts (exit 2), and so does booting from a configuration object", async () => {
    const module = handlerModule("future.ts", `{ name: "future", version: "3.1.0", pluginApi: "${NEXT_MAJOR}" }`);
    writeFileSync(folder.path("run.yaml"), `admin: false\n${yamlWith(module)}`);
    const run = await runProgram(runtimeCommand(MAIN, ["run", folder.path("run.yaml")]));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`declares pluginApi "${NEXT_MAJOR}"`);
    expect(run.stderr).not.toContain("server running");
    const booting = MongooseServer.boot({
      eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
      eventHandlers: [{ agentName: "a", eventHandlers: { echo: { handler: module } } }],
    }, { logLevel: "silent" });
    await expect(booting).rejects.toBeInstanceOf(ConfigError);
    await expect(booting).rejects.toThrow(`handler "a/echo": ${module} (export mongoosePlugin)`);
  });

  it("a manifest without its fields is refused too", async () => {
    const module = handlerModule("half.ts", `{ name: "half" }`);
    writeFileSync(folder.path("half.yaml"), yamlWith(module));
    const { code, stderr } = await runProgram(runtimeCommand(MAIN, ["validate", folder.path("half.yaml")]));
    expect(code).toBe(2);
    expect(stderr).toContain("version, pluginApi missing or not a string");
  });

  it("/api/topology reports the engine, runtime, schema and plugin API versions, and each plugin module: declared or not", async () => {
    const undeclared = handlerModule("plain.ts");
    const server = await MongooseServer.boot({
      admin: { port: 0 },
      eventFeeds: [{ name: "prices", type: "module", module: "./price-walk-feed.ts", config: { symbols: ["X"], count: 1, seed: 1 }, agentName: "market", broadcast: true }],
      eventSinks: [{ name: "rows", type: "module", module: "./csv-sink.ts", config: { columns: ["symbol"], filename: folder.path("rows.csv") } }],
      eventHandlers: [{ agentName: "a", eventHandlers: { plain: { handler: undeclared } } }],
    }, { logLevel: "silent", baseDir: PLUGINS });
    try {
      const { versions } = await (await fetch(`${server.adminUrl}api/topology`)).json();
      expect(versions).toEqual({
        engine: ENGINE_VERSION,
        runtime: { name: runtime.name, version: runtime.version },
        configSchema: CONFIG_SCHEMA_VERSION,
        pluginApi: PLUGIN_API_VERSION,
        plugins: [
          { module: undeclared, kind: "handler", component: "a/plain", declared: false },
          { module: "./price-walk-feed.ts", kind: "feed", component: "prices", declared: true, name: "price-walk-feed", version: "1.0.0", pluginApi: "1" },
          { module: "./csv-sink.ts", kind: "sink", component: "rows", declared: true, name: "csv-sink", version: "1.0.0", pluginApi: "1" },
        ],
      });
      expect(server.topology().versions).toEqual(versions);
    } finally {
      await server.stop();
    }
  });
});
