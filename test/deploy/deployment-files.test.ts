import { describe, expect, it } from "bun:test";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { eventually, tempDir } from "../helpers.ts";
import { runProgram, runServer, runtimeCommand } from "../process.ts";

// What can be checked here of deploy/: docker and a Kubernetes cluster are not available, so the image is
// not built and the manifest not applied; the files are checked against each other and the application runs.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = `${ROOT}src/main.ts`;
const read = (path: string) => readFileSync(`${ROOT}${path}`, "utf8");
const app = parse(read("deploy/app/app.yaml")) as { shutdownTimeoutMs: number; admin: { port: number }; eventFeeds: { name: string; type: string }[] };

/** The `key=value` settings of a systemd unit, by key (a repeated key keeps its last value). */
function unitSettings(text: string): Map<string, string> {
  return new Map(text.split("\n").filter((line) => /^[A-Za-z]+=/.test(line)).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
}

interface Container {
  args: string[];
  ports: { containerPort: number }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  livenessProbe: { httpGet: { path: string } };
  readinessProbe: { httpGet: { path: string } };
  startupProbe: { httpGet: { path: string } };
  lifecycle: { preStop: { exec: { command: string[] } } };
}

describe("deploy/", () => {
  it("Dockerfile: copies files that exist (the binary build.ts writes, the application) and runs the application's YAML", () => {
    const dockerfile = read("deploy/Dockerfile");
    const copies = [...dockerfile.matchAll(/^COPY (\S+) (\S+)$/gm)].map((match) => match[1]);
    expect(copies).toEqual(["dist/mongoose", "deploy/app/"]);
    expect(read("build.ts")).toContain('"dist/mongoose"');
    expect(existsSync(`${ROOT}deploy/app/`)).toBe(true);
    expect(dockerfile).toContain('CMD ["run", "app.yaml", "--log-format", "json"]');
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(dockerfile).toContain(`EXPOSE ${app.admin.port}`);
  });

  it("app.yaml: valid for mongoose validate, as the CI step runs it", async () => {
    const data = tempDir("mongoose-deploy-validate-");
    try {
      const { code, stdout, stderr } = await runProgram(runtimeCommand(MAIN, ["validate", `${ROOT}deploy/app/app.yaml`]), { env: { MONGOOSE_DATA: data.dir, ADMIN_TOKEN: "t" } });
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      expect(stdout).toContain("app.yaml: valid");
    } finally {
      data.cleanup();
    }
  });

  it("mongoose.service: reloads with SIGHUP, stops with SIGTERM, waits longer than shutdownTimeoutMs, and passes systemd-analyze verify", () => {
    const unit = read("deploy/mongoose.service");
    const settings = unitSettings(unit);
    expect(settings.get("ExecReload")).toBe("/bin/kill -HUP $MAINPID");
    expect(settings.get("KillSignal")).toBe("SIGTERM");
    const stopSeconds = Number(settings.get("TimeoutStopSec"));
    expect(stopSeconds * 1000).toBeGreaterThan(app.shutdownTimeoutMs);
    expect(stopSeconds * 1000).toBeLessThanOrEqual(app.shutdownTimeoutMs + 10_000);
    expect(settings.get("ExecStartPre")).toBe("/usr/local/bin/mongoose validate /opt/mongoose/app/app.yaml");
    if (spawnSync("systemd-analyze", ["--version"]).status !== 0) return; // not a systemd host: the settings above are all we check
    // verify insists that the executables exist: point them at one that does.
    const folder = tempDir("mongoose-deploy-unit-");
    try {
      writeFileSync(folder.path("mongoose.service"), unit.replaceAll("/usr/local/bin/mongoose", process.execPath));
      const verify = spawnSync("systemd-analyze", ["verify", folder.path("mongoose.service")], { encoding: "utf8" });
      expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: "" });
    } finally {
      folder.cleanup();
    }
  });

  it("kubernetes.yaml: probes on the health routes, Guaranteed QoS with whole CPUs, a grace period covering preStop and the drain", () => {
    const deployment = parse(read("deploy/kubernetes.yaml")) as { kind: string; spec: { template: { spec: { terminationGracePeriodSeconds: number; containers: Container[] } } } };
    expect(deployment.kind).toBe("Deployment");
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container.livenessProbe.httpGet.path).toBe("/health/live");
    expect(container.startupProbe.httpGet.path).toBe("/health/live");
    expect(container.readinessProbe.httpGet.path).toBe("/health/ready");
    expect(container.ports[0].containerPort).toBe(app.admin.port);
    expect(container.resources.requests).toEqual(container.resources.limits);
    expect(Number.isInteger(Number(container.resources.requests.cpu))).toBe(true);
    expect(container.args).toEqual(["run", "app.yaml", "--log-format", "json"]);
    const [sleep, seconds] = container.lifecycle.preStop.exec.command;
    expect(sleep).toBe("sleep");
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(seconds) * 1000 + app.shutdownTimeoutMs);
  });

  it("the application runs and passes mongoose smoke with deploy/smoke-sample.jsonl", async () => {
    const folder = tempDir("mongoose-deploy-smoke-");
    cpSync(`${ROOT}deploy/app`, folder.path("app"), { recursive: true });
    // The same application on a free loopback port (the YAML's port wins over MONGOOSE_ADMIN_PORT).
    writeFileSync(folder.path("app/app.yaml"), read("deploy/app/app.yaml").replace("host: 0.0.0.0", "host: 127.0.0.1").replace("port: 8080", "port: 0"));
    mkdirSync(folder.path("data/in"), { recursive: true });
    writeFileSync(folder.path("data/in/trades.jsonl"), "");
    const server = runServer(MAIN, folder.path("app/app.yaml"), { MONGOOSE_DATA: folder.path("data"), ADMIN_TOKEN: "deploy-token" });
    try {
      await eventually(() => server.log().includes("server running"), `the application running:\n${server.log()}`, 30_000);
      const url = /admin: (http:\/\/\S+)/.exec(server.log())![1];
      const smoke = await runProgram(runtimeCommand(MAIN, ["smoke", "--url", url, "--token", "deploy-token", "--feed", "smoke", "--sample", `${ROOT}deploy/smoke-sample.jsonl`]), { timeoutMs: 60_000 });
      expect({ code: smoke.code, stdout: smoke.stdout }).toEqual({ code: 0, stdout: expect.stringContaining("3 events into smoke; priced +3") });
      await eventually(() => existsSync(folder.path("data/out/priced.jsonl")) && readFileSync(folder.path("data/out/priced.jsonl"), "utf8").split("\n").length > 3, "the priced sample on disk");
      expect(JSON.parse(readFileSync(folder.path("data/out/priced.jsonl"), "utf8").split("\n")[0])).toEqual({ id: "smoke-1", notional: 1015, fee: 1.015, feed: "smoke" });
    } finally {
      server.child.interrupt("SIGTERM");
      await server.child.exitCode;
      folder.cleanup();
    }
  });
});
