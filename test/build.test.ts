import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { copyFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FORWARDED_NEWS, FORWARDED_PRICES, copyFiveMinute, forwardedLines, fromFeed, runFiveMinute } from "./examples/five-minute.ts";
import { dashboardPage } from "../src/admin/dashboard/page.ts";
import { eventually, tempDir } from "./helpers.ts";
import { runProgram, start } from "./process.ts";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { NatsServer } from "./nats/nats-server.ts";
import { consumerLeft, readSubject } from "./nats/nats-client.ts";
import { copyScaleOutExample, expectTwoInstancesSplitOrders } from "./nats/scale-out-instances.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Bun builds the binary whichever runtime runs the tests (deno compile needs the network). */
const BUN = "Bun" in globalThis ? process.execPath : join(ROOT, "node_modules/.bin/bun");

const build = tempDir("mongoose-build-");
/** An empty folder that gets only the binary and a user's files: no node_modules, no sources. */
const user = tempDir("mongoose-user-");
const mongoose = [join(user.dir, "mongoose")];

beforeAll(async () => {
  const { code, stderr } = await runProgram([BUN, join(ROOT, "build.ts"), join(build.dir, "mongoose")], { timeoutMs: 120_000 });
  if (code !== 0) throw new Error(`build failed: ${stderr}`);
  copyFileSync(join(build.dir, "mongoose"), join(user.dir, "mongoose"));
  build.cleanup();
});
afterAll(() => user.cleanup());

describe("the single binary (npm run build)", () => {
  it("runs a YAML file with a .ts handler from a folder with nothing else: the five-minute example", async () => {
    copyFiveMinute(user.dir);
    expect(readdirSync(user.dir).sort()).toEqual(["README.md", "app.yaml", "data-in", "filter.ts", "mongoose"]);
    const { code, stderr } = await runFiveMinute(mongoose, user.dir, 7);
    expect(stderr).toContain("server running");
    expect(code).toBe(0);
    const lines = forwardedLines(user.dir);
    expect(fromFeed(lines, "prices")).toEqual(FORWARDED_PRICES);
    expect(fromFeed(lines, "news")).toEqual(FORWARDED_NEWS);
    expect(lines.length).toBe(7);
  });

  it("runs the built-in demo, which needs no file at all", async () => {
    const { code, stdout } = await runProgram([...mongoose, "run"], { interruptAfter: "#20 vwap" });
    expect(stdout).toMatch(/^#20 vwap {2}AAPL \d+\.\d\d \(\d+\)/);
    expect(code).toBe(0);
  });

  it("prints its version and rejects a broken handler with exit 2 before starting anything", async () => {
    const version = await runProgram([...mongoose, "--version"]);
    expect(version.stdout).toMatch(new RegExp(`^mongoose 0\\.1\\.0 \\(bun \\d+\\.\\d+\\.\\d+, ${process.platform}-${process.arch}\\)\\n`));
    expect(version.code).toBe(0);
    writeFileSync(join(user.dir, "broken.ts"), "export default class Broken { handle() {} }\n");
    writeFileSync(join(user.dir, "broken.yaml"), "eventSinks:\n  - {name: out, type: file, filename: broken-out/x.txt}\neventHandlers:\n  - agentName: a\n    eventHandlers:\n      broken: {handler: ./broken.ts}\n");
    const { code, stderr } = await runProgram([...mongoose, "run", join(user.dir, "broken.yaml")]);
    expect(stderr).toContain("broken.yaml:6:25 eventHandlers[0].eventHandlers.broken.handler: ./broken.ts: the export is not a handler: class Broken has no onEvent method");
    expect(code).toBe(2);
    expect(existsSync(join(user.dir, "broken-out"))).toBe(false);
  });

  it("serves the dashboard with uPlot and its own script embedded: no file outside the binary needed", async () => {
    writeFileSync(join(user.dir, "quiet.ts"), "export default class Quiet { onEvent() {} }\n");
    writeFileSync(join(user.dir, "dashboard.yaml"), "admin: {port: 0}\neventHandlers:\n  - agentName: a\n    eventHandlers:\n      quiet: {handler: ./quiet.ts}\n");
    const child = start([...mongoose, "run", join(user.dir, "dashboard.yaml")]);
    let stderr = "";
    child.onStderr((text) => (stderr += text));
    try {
      await eventually(() => stderr.includes("dashboard: http"), "the dashboard line", 30_000);
      const page = await fetch(stderr.match(/dashboard: (\S+)/)![1]);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe(dashboardPage());
    } finally {
      child.interrupt();
      await child.exitCode;
    }
  });

  it("runs a NATS feed → .ts handler → NATS sink pipeline: the client works inside the binary's workers", async () => {
    const nats = await NatsServer.start();
    const client = await connect({ servers: nats.url });
    try {
      await (await jetstreamManager(client)).streams.add({ name: "BINARY_OUT", subjects: ["binary.out"] });
      copyFileSync(join(ROOT, "test/fixtures/forwarder.ts"), join(user.dir, "forwarder.ts"));
      writeFileSync(join(user.dir, "nats.yaml"), [
        `eventFeeds: [{name: in, type: nats, servers: [${nats.url}], subject: "binary.in.>", durable: binary, valueMapper: json}]`,
        `eventSinks: [{name: out, type: nats, servers: [${nats.url}], subject: binary.out}]`,
        "eventHandlers:",
        "  - agentName: worker",
        "    eventHandlers: {forward: {handler: ./forwarder.ts, configMap: {subscribe: [in]}}}",
        "",
      ].join("\n"));
      const child = start([...mongoose, "run", join(user.dir, "nats.yaml")]);
      let stderr = "";
      child.onStdout(() => {});
      child.onStderr((text) => (stderr += text));
      try {
        await eventually(() => /feed "in": connected/.test(stderr) && /sink "out": connected/.test(stderr), "the feed and the sink connected", 60_000);
        const js = jetstream(client);
        for (let n = 1; n <= 5; n++) await js.publish("binary.in.n", JSON.stringify({ n }));
        expect((await readSubject(client, "BINARY_OUT", 5)).map((m) => JSON.parse(m.data).n)).toEqual([1, 2, 3, 4, 5]);
        await eventually(async () => (await consumerLeft(client, "IN", "binary")).unacked === 0, "every message acked", 30_000);
      } finally {
        child.interrupt("SIGTERM");
        expect(await child.exitCode).toBe(0);
      }
    } finally {
      await client.close();
      await nats.stop();
    }
  });

  it("runs two instances of the scale-out example that split one durable consumer's orders, each exactly once", async () => {
    const nats = await NatsServer.start();
    try {
      const yaml = copyScaleOutExample(join(user.dir, "scale-out"));
      await expectTwoInstancesSplitOrders(yaml, nats.url, 3000, { command: mongoose });
    } finally {
      await nats.stop();
    }
  }, 300_000);
});
