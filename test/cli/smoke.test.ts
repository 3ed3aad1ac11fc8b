import { afterAll, describe, expect, it } from "bun:test";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { eventually, FIXTURES, freePort, tempDir } from "../helpers.ts";
import { runProgram, runServer, runtimeCommand, type RunningServer } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const mongoose = (...args: string[]) => runtimeCommand(MAIN, args);
const TOKEN = "smoke-test-token";

/** Starts `mongoose run` on `yaml` (admin token TOKEN) and waits until it runs; resolves with it and its admin URL. */
async function serve(folder: ReturnType<typeof tempDir>, yaml: string[]): Promise<{ server: RunningServer; url: string }> {
  writeFileSync(folder.path("app.yaml"), ["admin: {port: 0, token: \"${ADMIN_TOKEN}\"}", ...yaml, ""].join("\n"));
  const server = runServer(MAIN, folder.path("app.yaml"), { ADMIN_TOKEN: TOKEN });
  await eventually(() => server.log().includes("server running"), `the server running:\n${server.log()}`, 30_000);
  return { server, url: /admin: (http:\/\/\S+)/.exec(server.log())![1] };
}

/** A memory feed `in` forwarded by handler `forward` on agent `p` to the file sink `out`. */
const FORWARDING = (folder: ReturnType<typeof tempDir>, handler = "forwarder.ts") => [
  "eventFeeds: [{name: in, type: memory, broadcast: true}]",
  `eventSinks: [{name: out, type: file, filename: ${folder.path("out.jsonl")}, valueMapper: json}]`,
  "eventHandlers:",
  "  - agentName: p",
  `    eventHandlers: {forward: {handler: ${FIXTURES}${handler}}}`,
];

describe("mongoose smoke against a healthy server", () => {
  const folder = tempDir("mongoose-smoke-healthy-");
  let running: Promise<{ server: RunningServer; url: string }> | undefined;
  const healthy = () => (running ??= serve(folder, FORWARDING(folder)));
  writeFileSync(folder.path("sample.jsonl"), '{"n":1}\n{"n":2}\n\n{"n":3}\n');

  afterAll(async () => {
    const { server } = await healthy();
    server.child.interrupt("SIGTERM");
    expect(await server.child.exitCode).toBe(0);
    folder.cleanup();
  });

  it("passes every check, injecting the sample and seeing one output per line on the sink", async () => {
    const { url } = await healthy();
    const { code, stdout, stderr } = await runProgram(
      mongoose("smoke", "--url", url, "--token", TOKEN, "--feed", "in", "--sample", folder.path("sample.jsonl"), "--p99-max", "10s"),
      { timeoutMs: 60_000 },
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    for (const check of ["reachable", "live", "ready", "agents", "rings", "injection", "p99"]) expect(stdout).toMatch(new RegExp(`^PASS +${check} `, "m"));
    expect(stdout).toContain("3 events into in; out +3");
    expect(stdout).toMatch(/^passed: 7 checks$/m);
    expect(stdout.split("\n").length).toBeLessThan(24);
  });

  it("takes the URL and token from the environment, counts --expect-sink, and prints JSON with --json", async () => {
    const { url } = await healthy();
    const { code, stdout } = await runProgram(
      mongoose("smoke", "--feed", "in", "--sample", folder.path("sample.jsonl"), "--expect-sink", "out=3", "--json"),
      { env: { MONGOOSE_ADMIN_URL: url, MONGOOSE_ADMIN_TOKEN: TOKEN }, timeoutMs: 60_000 },
    );
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { ok: boolean; url: string; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.ok).toBe(true);
    expect(report.url).toBe(url);
    expect(report.checks.find((check) => check.name === "injection")?.detail).toContain("out +3");
  });

  it("fails (exit 1) when the sample's outputs do not all arrive within the timeout", async () => {
    const { url } = await healthy();
    const { code, stdout } = await runProgram(
      mongoose("smoke", "--url", url, "--token", TOKEN, "--feed", "in", "--sample", folder.path("sample.jsonl"), "--expect-sink", "out=4", "--timeout", "1s"),
      { timeoutMs: 60_000 },
    );
    expect(code).toBe(1);
    expect(stdout).toMatch(/^FAIL +injection +3 events into in, but within 1000 ms sink "out" wrote [0-3] of 4$/m);
    expect(stdout).toMatch(/^FAILED: \d of 6 checks$/m);
  });

  it("fails (exit 1) naming the token when injecting without it, and the feed when there is none by that name", async () => {
    const { url } = await healthy();
    const noToken = await runProgram(mongoose("smoke", "--url", url, "--feed", "in", "--sample", folder.path("sample.jsonl")), { timeoutMs: 60_000 });
    expect(noToken.code).toBe(1);
    expect(noToken.stdout).toMatch(/^FAIL +injection +POST \/api\/feeds\/in\/events was refused \(401\): give the server's admin.token with --token/m);
    expect(noToken.stdout).toMatch(/^PASS +live /m);
    const unknown = await runProgram(mongoose("smoke", "--url", url, "--token", TOKEN, "--feed", "nope", "--sample", folder.path("sample.jsonl")), { timeoutMs: 60_000 });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('the server refused the sample (404): no feed named "nope"');
  });
});

describe("mongoose smoke against an unhealthy server", () => {
  it("fails (exit 1) naming the agent whose handler is stuck in a loop", async () => {
    const folder = tempDir("mongoose-smoke-stalled-");
    const { server, url } = await serve(folder, FORWARDING(folder, "hanger.ts"));
    try {
      const hang = await fetch(`${url}api/feeds/in/events`, { method: "POST", headers: { authorization: `Bearer ${TOKEN}` }, body: '"hang"\n' });
      expect(await hang.json()).toEqual({ feed: "in", offered: 1, lastSequence: 1 });
      const { code, stdout } = await runProgram(mongoose("smoke", "--url", url, "--window", "2s"), { timeoutMs: 60_000 });
      expect(code).toBe(1);
      expect(stdout).toMatch(/^FAIL +agents +agent "p" ran no duty cycle in 2000 ms \(heartbeat \d+ ms old: stuck in a handler\?\)/m);
      expect(stdout).toMatch(/^FAILED: /m);
    } finally {
      server.child.kill(); // its agent never leaves the loop, so a graceful stop would wait for nothing
      await server.child.exitCode;
      folder.cleanup();
    }
  });

  it("fails (exit 1) naming the ring backed up behind a slow handler", async () => {
    const folder = tempDir("mongoose-smoke-backed-up-");
    const { server, url } = await serve(folder, [
      // Beats every millisecond into a handler that needs 20 ms each: its small ring stays full and drops.
      "eventFeeds: [{name: beat, type: interval, periodMs: 1, broadcast: true, ringCapacity: 1024, onFull: dropNewest, agentName: beater}]",
      `eventSinks: [{name: out, type: file, filename: ${folder.path("out.jsonl")}, valueMapper: json}]`,
      "agentThreads: [{agentName: slow, batchSize: 1}]",
      "eventHandlers:",
      "  - agentName: slow",
      `    eventHandlers: {slow: {handler: ${FIXTURES}slow.ts, configMap: {delayMicros: 20000}}}`,
    ]);
    try {
      const { code, stdout } = await runProgram(mongoose("smoke", "--url", url, "--window", "2s"), { timeoutMs: 60_000 });
      expect(code).toBe(1);
      expect(stdout).toMatch(/^FAIL +rings +feed ring "beat" from "beater" to "slow" is backed up: \d+% full \(\d+ events queued, limit 50%\)/m);
      expect(stdout).toMatch(/feed ring "beat" from "beater" to "slow" dropped \d+ events in 1000 ms \(onFull: dropNewest\)/);
      expect(stdout).toMatch(/^FAIL +ready +503: .*backed up/m);
    } finally {
      server.child.interrupt("SIGTERM");
      await server.child.exitCode;
      folder.cleanup();
    }
  });
});

describe("mongoose smoke usage and reachability", () => {
  it("exits 2 with the usage for a bad command line", async () => {
    for (const args of [["--feed", "in"], ["--p99-max", "fast"], ["--expect-sink", "out=3"], ["stray"], ["--max-backlog", "150%"]]) {
      const { code, stderr } = await runProgram(mongoose("smoke", ...args));
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toContain("Usage:");
    }
    const missing = await runProgram(mongoose("smoke", "--feed", "in", "--sample", "/nonexistent/sample.jsonl"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--sample /nonexistent/sample.jsonl cannot be read");
  });

  it("exits 1 saying where it looked when no server answers", async () => {
    const url = `http://127.0.0.1:${await freePort()}/`;
    const { code, stdout } = await runProgram(mongoose("smoke", "--url", url));
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^FAIL +reachable +cannot reach the admin server at ${url.replaceAll(".", "\\.")} `, "m"));
    expect(stdout).toMatch(/^FAILED: 1 of 1 checks$/m);
  });

  it("prints its help", async () => {
    const { code, stdout } = await runProgram(mongoose("smoke", "--help"));
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: mongoose smoke");
  });
});
