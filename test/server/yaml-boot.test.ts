import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { ConfigError, MongooseServer } from "../../src/mod.ts";
import { FIXTURES, tempDir } from "../helpers.ts";

let temp: ReturnType<typeof tempDir>;
beforeEach(() => void (temp = tempDir("mongoose-yaml-boot-")));
afterEach(() => temp.cleanup());

const YAML = `eventFeeds:
  - {name: in, type: memory, broadcast: true}
eventSinks:
  - {name: out, type: memory}
eventHandlers:
  - agentName: worker
    eventHandlers:
      forward: {handler: ./forwarder.ts}
`;

describe("booting from YAML", () => {
  it("boots YAML text with paths relative to baseDir", async () => {
    const server = await MongooseServer.bootYaml(YAML, { baseDir: FIXTURES, logLevel: "error" });
    try {
      server.offer("in", { px: 1 });
      expect(await server.sink("out").waitFor(1)).toEqual([{ px: 1 }]);
    } finally {
      await server.stop();
    }
  });

  it("boots a YAML file with paths relative to the file's folder", async () => {
    writeFileSync(temp.path("app.yaml"), YAML.replace("./forwarder.ts", `${FIXTURES}forwarder.ts`).replace("{name: in, type: memory, broadcast: true}", "{name: in, type: memory, broadcast: '\${BROADCAST:-true}'}"));
    await expect(MongooseServer.bootYamlFile(temp.path("app.yaml"), { logLevel: "error" })).rejects.toThrow(`app.yaml:2:41 eventFeeds[0].broadcast: expected boolean, got "true"`);
    writeFileSync(temp.path("app.yaml"), YAML.replace("./forwarder.ts", `${FIXTURES}forwarder.ts`));
    const server = await MongooseServer.bootYamlFile(temp.path("app.yaml"), { logLevel: "error" });
    await server.stop();
  });

  it("loads a plain .js handler (a factory) as well as .ts ones", async () => {
    writeFileSync(temp.path("double.js"), `export function makeDoubler() {
  let out;
  return { start(ctx) { out = ctx.sink("out"); }, onEvent(n) { out.accept(n * 2); } };
}
`);
    writeFileSync(temp.path("app.yaml"), YAML.replace("./forwarder.ts", "./double.js#makeDoubler"));
    const server = await MongooseServer.bootYamlFile(temp.path("app.yaml"), { logLevel: "error" });
    try {
      server.offer("in", 21);
      expect(await server.sink("out").waitFor(1)).toEqual([42]);
    } finally {
      await server.stop();
    }
  });

  it("rejects problems with their position, checking modules before anything starts", async () => {
    const attempt = MongooseServer.bootYaml(YAML.replace("./forwarder.ts", "./nowhere.ts"), { baseDir: FIXTURES, sourceName: "inline.yaml" });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(`inline.yaml:8:26 eventHandlers[0].eventHandlers.forward.handler: ./nowhere.ts: file not found: ${FIXTURES}nowhere.ts`);
  });
});
