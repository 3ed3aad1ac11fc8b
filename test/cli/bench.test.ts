import { describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { journaledHandlers, readJournal } from "../../src/core/journal/journal-reader.ts";
import { tempDir } from "../helpers.ts";
import { runProgram, runtimeCommand } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const bench = (...args: string[]) => runProgram(runtimeCommand(MAIN, ["bench", ...args]));

const HOP_FIELDS = ["throughput", "p50Ns", "p99Ns", "p999Ns", "maxNs"];
const REPORT_FIELDS = ["runtime", "codec", "idle", "rate", "seconds", "events", "handlerLatency", "journaled", "batchClaim", "perSecond", "wallSeconds", "publisherCpuSeconds", "receiverCpuSeconds", "throughput", "p50Ns", "p90Ns", "p99Ns", "p999Ns", "p9999Ns", "maxNs", "heapGrowthBytes"];

describe("mongoose bench", () => {
  it("prints the one JSON object of the contract, with the baseline, and writes both .hgrm files", async () => {
    const folder = tempDir("mongoose-bench-");
    try {
      const hgrm = folder.path("hop.hgrm");
      const { code, stdout, stderr } = await bench("--rate", "20000", "--seconds", "0.5", "--warmup", "0.2", "--codec", "struct", "--idle", "backoff", "--baseline", "--hgrm", hgrm, "--json");
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const lines = stdout.trim().split("\n");
      expect(lines.length).toBe(1);
      const report = JSON.parse(lines[0]);
      expect(Object.keys(report).sort()).toEqual([...REPORT_FIELDS, "baseline"].sort());
      expect(Object.keys(report.baseline).sort()).toEqual([...HOP_FIELDS].sort());
      expect([report.codec, report.idle, report.rate, report.seconds]).toEqual(["struct", "backoff", 20000, 0.5]);
      expect(["bun", "deno"]).toContain(report.runtime);
      // Paced: exactly rate × seconds events are measured, each with a latency.
      expect(report.events).toBe(10000);
      for (const field of [...REPORT_FIELDS.slice(REPORT_FIELDS.indexOf("throughput")), "wallSeconds"]) expect(typeof report[field]).toBe("number");
      expect(report.batchClaim).toBe(false);
      expect(report.handlerLatency).toBe(64);
      expect(report.journaled).toBe(false);
      for (const field of HOP_FIELDS) expect(report.baseline[field]).toBeGreaterThan(0);
      expect(report.throughput).toBeGreaterThan(0);
      expect(report.p50Ns).toBeGreaterThan(0);
      expect(report.p50Ns).toBeLessThanOrEqual(report.p99Ns);
      expect(report.p99Ns).toBeLessThanOrEqual(report.maxNs);
      for (const file of [hgrm, folder.path("hop.postMessage.hgrm")]) {
        expect(existsSync(file)).toBe(true);
        expect(readFileSync(file, "utf8")).toContain("Value     Percentile TotalCount 1/(1-Percentile)");
      }
    } finally {
      folder.cleanup();
    }
  });

  it("measures plain objects with --codec json and a fixed count with --events at --rate max, latency recording off", async () => {
    const { code, stdout } = await bench("--rate", "max", "--events", "50000", "--warmup", "0.2", "--codec", "json", "--handler-latency", "off", "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect([report.codec, report.rate, report.events, report.baseline, report.handlerLatency]).toEqual(["json", "max", 50000, undefined, "off"]);
    expect(report.throughput).toBeGreaterThan(0);
  });

  it("publishes claimed batches with --batch-claim, and shows each second's throughput and the threads' CPU time against the wall time", async () => {
    const { code, stdout } = await bench("--rate", "max", "--seconds", "2.2", "--warmup", "0.2", "--batch-claim", "--json");
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.batchClaim).toBe(true);
    expect(report.events).toBeGreaterThan(0);
    expect(report.wallSeconds).toBeGreaterThanOrEqual(2.2);
    // One count per whole second of the run (a count, not a speed): together they are events measured, never more.
    expect(report.perSecond.length).toBe(Math.floor(report.wallSeconds));
    expect(report.perSecond.reduce((a: number, b: number) => a + b, 0)).toBeLessThanOrEqual(report.events);
    // Thread CPU time comes from Linux's /proc; each thread ran for at most the wall time (plus a sampling slack).
    for (const cpu of [report.publisherCpuSeconds, report.receiverCpuSeconds]) {
      expect(cpu).toBeGreaterThan(0);
      expect(cpu).toBeLessThanOrEqual(report.wallSeconds + 0.5);
    }
  });

  it("journals the receiving handler with --journal DIR", async () => {
    const folder = tempDir("mongoose-bench-journal-");
    try {
      const { code, stdout } = await bench("--rate", "max", "--events", "20000", "--warmup", "0.2", "--codec", "json", "--journal", folder.dir, "--json");
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report.journaled).toBe(true);
      expect(journaledHandlers(folder.dir)).toEqual(["recorder"]);
      const events = [...readJournal(folder.dir, "recorder")].filter((entry) => entry.kind === "event");
      // The warm-up's events and the measured ones, each journaled before the handler saw it.
      expect(events.length).toBeGreaterThanOrEqual(20000);
      expect(events.every((entry, i) => entry.kind === "event" && entry.feed === "ticks" && entry.sequence === i + 1)).toBe(true);
    } finally {
      folder.cleanup();
    }
  });

  it("exits 2 naming a bad option", async () => {
    for (const [args, message] of [
      [["--codec", "xml"], `--codec must be struct or json, got "xml"`],
      [["--rate", "fast"], `--rate must be a positive number, got "fast"`],
      [["--idle", "lazy"], `--idle must be one of`],
      [["--batch", "0"], `--batch must be a positive integer, got "0"`],
      [["--batch-claim", "--codec", "json"], `--batch-claim claims fixed-layout events: it needs --codec struct`],
      [["--handler-latency", "sometimes"], `--handler-latency must be off or a positive integer, got "sometimes"`],
      [["--frobnicate"], `Unknown option '--frobnicate'`],
    ] as [string[], string][]) {
      const { code, stderr } = await bench(...args);
      expect(stderr).toContain(message);
      expect(code).toBe(2);
    }
  });
});
