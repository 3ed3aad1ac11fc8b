import { describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { MongooseServer } from "../../src/mod.ts";
import { pinThread } from "../../src/pinning/pin-thread.ts";
import { runtime } from "../../src/runtime/mod.ts";
import { boot, FIXTURES, tempDir } from "../helpers.ts";
import { runtimeCommand, start } from "../process.ts";

type Probe = { cpusAllowedList: string; tid: number };

// Pinning uses sched_setaffinity and the probe reads /proc/thread-self: both Linux-only.
const LINUX = process.platform === "linux";
const linuxIt = LINUX ? it : (name: string, ..._skipped: unknown[]) => it(`${name} (skipped: CPU pinning and /proc/thread-self are Linux-only)`, () => {});
const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
/** A field of a task's status file: `/proc/self` is the process's main thread, `/proc/thread-self` the caller's. */
const statusField = (task: "self" | "thread-self", name: string) => readFileSync(`/proc/${task}/status`, "utf8").match(new RegExp(`^${name}:\\s*(.*)$`, "m"))![1];
/** The main thread's CPUs: what every unpinned thread of the process may use. */
const processCpus = () => statusField("self", "Cpus_allowed_list");
/** Kernel thread id of the calling thread (under Deno, test code does not run on the main thread). */
const ownTid = () => Number(statusField("thread-self", "Pid"));

/** Boots a server whose only agent, "pinned", runs the CPU probe with `coreId` (on a worker unless `inline`). */
function bootProbe(coreId: number, inline = false): Promise<MongooseServer> {
  return boot({
    agentThreads: [{ agentName: "pinned", coreId }],
    eventSinks: [{ name: "out", type: "memory" }],
    eventHandlers: [{ agentName: "pinned", eventHandlers: { probe: { handler: "./cpu-probe.ts" } } }],
  }, { inline });
}

/** The probe's report and the agent's entry in topology() and health(). */
async function probe(server: MongooseServer) {
  const [report] = await server.sink<Probe>("out").waitFor(1);
  const topology = server.topology().agents.find((a) => a.name === "pinned")!;
  const status = server.health().agents.find((a) => a.name === "pinned")!;
  return { report, topology, status };
}

describe("CPU pinning (coreId)", () => {
  for (const core of [1, 0]) {
    linuxIt(`pins the agent's worker thread to CPU ${core} and shows it in topology`, async () => {
      const server = await bootProbe(core);
      try {
        const { report, topology, status } = await probe(server);
        expect(report.cpusAllowedList).toBe(String(core));
        expect([process.pid, ownTid()]).not.toContain(report.tid); // the worker's own thread
        expect(topology).toMatchObject({ mode: "worker", coreId: core, pinnedCore: core, pinning: `pinned to CPU ${core} (tid ${report.tid})` });
        expect(status).toMatchObject({ pinnedCore: core, pinning: topology.pinning });
      } finally {
        await server.stop();
      }
    });
  }

  linuxIt("boots with a coreId beyond the machine's CPUs, leaving the agent unpinned and saying why", async () => {
    const server = await bootProbe(999);
    try {
      const { report, topology, status } = await probe(server);
      expect(report.cpusAllowedList).toBe(processCpus());
      expect([process.pid, ownTid()]).not.toContain(report.tid);
      expect(topology.coreId).toBe(999);
      expect(topology.pinnedCore).toBeUndefined();
      expect(topology.pinning).toBe(`not pinned: sched_setaffinity failed: CPU 999 is not one this process may use (${processCpus()})`);
      expect(status.pinning).toBe(topology.pinning);
      expect(status.state).toBe("running");
    } finally {
      await server.stop();
    }
  });

  // The release binaries for macOS and Windows run this code where there is no sched_setaffinity.
  linuxIt("reports pinning unsupported on macOS and Windows without touching the thread, even with a libc at hand", async () => {
    const libc = await runtime.loadLibc();
    const before = libc!.getAffinity();
    for (const platform of ["darwin", "win32"]) {
      expect(pinThread(libc, before[0], platform)).toEqual({ why: `CPU pinning is unsupported on ${platform} (it needs Linux's sched_setaffinity)` });
    }
    expect(libc!.getAffinity()).toEqual(before);
  });

  linuxIt("leaves an inline agent unpinned, saying it shares the supervisor's thread", async () => {
    const server = await bootProbe(1, true);
    try {
      const { report, topology } = await probe(server);
      expect(report).toEqual({ cpusAllowedList: statusField("thread-self", "Cpus_allowed_list"), tid: ownTid() });
      expect(topology).toMatchObject({ mode: "inline", coreId: 1, pinning: "not pinned: an inline agent runs on the supervisor's thread" });
      expect(topology.pinnedCore).toBeUndefined();
    } finally {
      await server.stop();
    }
  });

  linuxIt("logs each outcome when `mongoose run` boots a YAML file", async () => {
    const folder = tempDir("mongoose-pinning-");
    try {
      const agent = (name: string) => `  - agentName: ${name}\n    eventHandlers: {probe: {handler: ${FIXTURES}cpu-probe.ts}}\n`;
      writeFileSync(
        folder.path("app.yaml"),
        `agentThreads: [{agentName: pinned, coreId: 1}, {agentName: unpinnable, coreId: 999}]\neventSinks: [{name: out, type: memory}]\neventHandlers:\n${agent("pinned")}${agent("unpinnable")}`,
      );
      const child = start(runtimeCommand(MAIN, ["run", folder.path("app.yaml")]));
      let stderr = "";
      let interrupted = false;
      child.onStdout(() => {});
      child.onStderr((text) => {
        stderr += text;
        if (!interrupted && stderr.includes("server running")) {
          interrupted = true;
          child.interrupt();
        }
      });
      expect(await child.exitCode).toBe(0);
      expect(stderr).toMatch(/INFO +pinned agent thread to CPU 1 \(tid \d+\) agent=pinned coreId=1 tid=\d+\n/);
      const why = `sched_setaffinity failed: CPU 999 is not one this process may use \\(${processCpus()}\\)`;
      expect(stderr).toMatch(new RegExp(`WARN +coreId 999 not applied, the agent thread runs unpinned: ${why} agent=unpinnable coreId=999\n`));
    } finally {
      folder.cleanup();
    }
  }, 30_000);
});
