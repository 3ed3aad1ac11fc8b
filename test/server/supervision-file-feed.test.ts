/**
 * A COMMITTED file feed on an agent with `restart: always`: when the agent dies, the restarted feed takes
 * back its read pointer lock and resumes from the pointer, so no line is lost and only lines after the
 * pointer come twice.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import type { MongooseServer } from "../../src/mod.ts";
import { boot, eventually, tempDir } from "../helpers.ts";

let temp = tempDir("mongoose-supervised-reader-");
beforeEach(() => void (temp = tempDir("mongoose-supervised-reader-")));
afterEach(() => temp.cleanup());

const line = (id: number) => JSON.stringify(id === 300 ? { id, die: true } : { id }) + "\n";
const linesOf = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i)).join("");
const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));

describe("supervision of a COMMITTED file feed", () => {
  test("its restarted agent takes back the read pointer lock and resumes at the pointer: every line arrives, duplicates only after the pointer", async () => {
    const input = temp.path("in.jsonl");
    const out = temp.path("out.jsonl");
    const gate = temp.path("gate");
    const [pointer, lock, marker, journal] = [`${input}.readPointer`, `${input}.readPointer.lock`, temp.path("marker"), temp.path("journal")];
    writeFileSync(input, linesOf(1, 200));
    const server = await boot({
      admin: false,
      agentThreads: [{ agentName: "reader", restart: "always", restartBackoffMs: 0 }],
      eventFeeds: [{ name: "in", type: "file", filename: input, readStrategy: "COMMITTED", valueMapper: "json", broadcast: true, agentName: "reader" }],
      eventSinks: [{ name: "out", type: "file", filename: out, valueMapper: "json" }],
      eventHandlers: [
        { agentName: "reader", eventHandlers: { witness: { handler: "./pointer-witness.ts", configMap: { journal, marker, pointer, lock } } } },
        { agentName: "processor", eventHandlers: { forwarder: { handler: "./gated.ts", configMap: { gate } } } },
      ],
    }, {
      logLevel: "silent",
      requestTimeoutMs: 60_000,
      // The forwarder is held in a handler while the reader restarts (seconds under Deno, which type-checks each new worker).
      unresponsiveAfterMs: 120_000,
    });
    const ids = () => (existsSync(out) ? readFileSync(out, "utf8").split("\n").filter(Boolean).map((text) => (JSON.parse(text) as { id: number }).id) : []);
    const committed = () => (existsSync(pointer) ? readJson(pointer).offset as number : 0);
    const reader = (s: MongooseServer) => s.health().agents.find((a) => a.name === "reader")!;
    let stopped = false;
    try {
      await eventually(() => new Set(ids()).size === 200 && committed() === linesOf(1, 200).length, "lines 1-200 written and committed", 30_000);
      // The forwarder is held from its next event on, so nothing after line 200 is written (or may be committed).
      writeFileSync(gate, "");
      appendFileSync(input, linesOf(201, 400)); // line 300 kills the reader agent, once
      await eventually(() => reader(server).restarts === 1 && reader(server).state === "running", "the reader agent restarted", 60_000);
      const atDeath = readJson(marker) as { pointer: { offset: number }; lock: { pid: number; hostname: string; server: string; feed: string } };
      expect(atDeath.pointer.offset).toBe(linesOf(1, 200).length);
      expect(atDeath.lock).toMatchObject({ pid: process.pid, feed: "in" });
      // The restarted feed read 201-400 again: its pointer must not pass what the held forwarder has not written.
      // Line 400 reaches the new witness twice: left in its ring by the dead feed, then read again.
      await eventually(() => readFileSync(journal, "utf8").split("2:400\n").length === 3, "the restarted feed to deliver line 400 again", 30_000);
      expect(committed()).toBe(linesOf(1, 200).length);
      expect(readJson(lock)).toEqual({ pid: process.pid, hostname: atDeath.lock.hostname, server: atDeath.lock.server, feed: "in" }); // taken back, same server
      rmSync(gate);
      await eventually(() => new Set(ids()).size === 400, "every id written", 30_000);
      await eventually(() => committed() === linesOf(1, 400).length, "the pointer at the end", 30_000);
      const report = await server.stop();
      stopped = true;
      expect({ clean: report.clean, problems: report.problems }).toEqual({ clean: true, problems: [] });
    } finally {
      if (existsSync(gate)) rmSync(gate);
      if (!stopped) await server.stop();
    }
    const seen = new Map<number, number>();
    for (const id of ids()) seen.set(id, (seen.get(id) ?? 0) + 1);
    for (let id = 1; id <= 400; id++) expect(seen.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    const duplicated = [...seen].filter(([, count]) => count > 1).map(([id]) => id);
    expect(duplicated.every((id) => id > 200)).toBe(true); // only lines after the pointer at the death
    // Lines the dead feed had put in the forwarder's ring are consumed from it, and read again after the pointer.
    for (let id = 201; id <= 300; id++) expect(seen.get(id)).toBe(2);
    expect(existsSync(lock)).toBe(false);
    expect(committed()).toBe(readFileSync(input).length);
  }, 120_000);
});
