import { describe, expect, it } from "bun:test";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import type { MongooseConfig } from "../../src/mod.ts";
import { boot, tempDir } from "../helpers.ts";

const TOKEN = "audit-secret-alice-7f3a";
const CI_TOKEN = "audit-secret-ci-91bd";
const base: MongooseConfig = {
  eventFeeds: [{ name: "in", type: "memory", broadcast: true }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts", configMap: { level: 1 } } } }],
};

interface Entry {
  time: string;
  via: string;
  caller?: string;
  tokenId?: string;
  request?: string;
  command?: string;
  args?: unknown;
  outcome: { ok: boolean; status?: number; error?: string; report?: unknown; durationMs: number };
}

const entriesOf = (file: string): Entry[] => readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Boots with the audit log at `folder/audit.jsonl` and the admin settings `admin`, runs `use`, stops. */
async function withAudited(folder: { path(name: string): string }, admin: Record<string, unknown>, use: (url: string, file: string) => Promise<void>): Promise<void> {
  const file = folder.path("audit.jsonl");
  const server = await boot({ ...base, admin: { port: 0, auditLog: file, ...admin } }, { logLevel: "silent" });
  try {
    await use(server.adminUrl!, file);
  } finally {
    await server.stop();
  }
}

describe("admin audit log", () => {
  it("writes one entry per POST: token id (never the token), caller, command, arguments and outcome; a refused call too", async () => {
    const folder = tempDir("mongoose-audit-");
    try {
      await withAudited(folder, { token: TOKEN, tokens: { ci: CI_TOKEN } }, async (url, file) => {
        expect((await fetch(`${url}api/commands/help`, { method: "POST", headers: bearer(TOKEN), body: '["quit"]' })).status).toBe(200);
        expect((await fetch(`${url}api/commands/help`, { method: "POST", headers: bearer(CI_TOKEN) })).status).toBe(200);
        expect((await fetch(`${url}api/commands/no-such`, { method: "POST", headers: bearer(CI_TOKEN) })).status).toBe(404);
        expect((await fetch(`${url}api/commands/quit`, { method: "POST", headers: bearer(`${TOKEN}-guess`) })).status).toBe(401);
        expect((await fetch(`${url}api/commands/quit`, { method: "POST" })).status).toBe(401);
        const [alice, ci, unknown, wrong, none] = entriesOf(file);
        expect(alice).toMatchObject({ via: "http", caller: "127.0.0.1", tokenId: "default", request: "POST /api/commands/help", command: "help", args: ["quit"], outcome: { ok: true, status: 200 } });
        expect(new Date(alice.time).toISOString()).toBe(alice.time);
        expect(alice.outcome.durationMs).toBeGreaterThanOrEqual(0);
        expect(ci).toMatchObject({ tokenId: "ci", command: "help", outcome: { ok: true } });
        expect(unknown).toMatchObject({ tokenId: "ci", command: "no-such", outcome: { ok: false, status: 404 } });
        expect(unknown.outcome.error).toContain("no-such");
        for (const refused of [wrong, none]) expect(refused).toMatchObject({ via: "http", tokenId: "rejected", request: "POST /api/commands/quit", outcome: { ok: false, status: 401 } });
        const raw = readFileSync(file, "utf8");
        expect(raw).not.toContain(TOKEN);
        expect(raw).not.toContain(CI_TOKEN);
      });
    } finally {
      folder.cleanup();
    }
  });

  it("refuses a named token whose id the log reserves", async () => {
    await expect(boot({ ...base, admin: { port: 0, tokens: { anonymous: "x" } } }, { logLevel: "silent" })).rejects.toThrow("reserved token ids");
  });

  it("records `anonymous` without a token, audits reads only with auditReads, and a reload from the embedding API with its report", async () => {
    const folder = tempDir("mongoose-audit-reads-");
    try {
      await withAudited(folder, {}, async (url, file) => {
        expect((await fetch(`${url}api/topology`)).status).toBe(200);
        expect((await fetch(`${url}api/commands/help`, { method: "POST" })).status).toBe(200);
        expect(entriesOf(file).map((e) => [e.request, e.tokenId])).toEqual([["POST /api/commands/help", "anonymous"]]);
      });
      await withAudited(folder, { auditReads: true }, async (url, file) => {
        expect((await fetch(`${url}api/topology`)).status).toBe(200);
        expect(entriesOf(file).at(-1)).toMatchObject({ via: "http", request: "GET /api/topology", outcome: { ok: true, status: 200 } });
      });
      const file = folder.path("audit.jsonl");
      const server = await boot({ ...base, admin: { port: 0, auditLog: file } }, { logLevel: "silent" });
      try {
        const changed = { ...base, admin: { port: 0, auditLog: file }, eventHandlers: [{ agentName: "a", eventHandlers: { fwd: { handler: "./forwarder.ts", configMap: { level: 2 } } } }] };
        await server.reloadConfig(changed);
      } finally {
        await server.stop();
      }
      expect(entriesOf(file).at(-1)).toMatchObject({ via: "embedding", command: "reload", outcome: { ok: true, report: { applied: ["a/fwd"], rejected: [], needsRestart: [] } } });
    } finally {
      folder.cleanup();
    }
  });

  it("survives a restart: entries are appended, never truncated; GET /api/audit gives the last N, newest last", async () => {
    const folder = tempDir("mongoose-audit-restart-");
    try {
      for (const run of [1, 2]) {
        await withAudited(folder, {}, async (url) => {
          for (const word of ["a", "b", "c"]) await fetch(`${url}api/commands/help`, { method: "POST", body: JSON.stringify([`${word}${run}`]) });
        });
      }
      await withAudited(folder, {}, async (url, file) => {
        expect(entriesOf(file).map((e) => e.args)).toEqual([["a1"], ["b1"], ["c1"], ["a2"], ["b2"], ["c2"]]);
        const last = await (await fetch(`${url}api/audit?limit=4`)).json();
        expect(last.enabled).toBe(true);
        expect(last.entries.map((e: Entry) => e.args)).toEqual([["c1"], ["a2"], ["b2"], ["c2"]]);
        expect((await (await fetch(`${url}api/audit`)).json()).entries).toHaveLength(6);
        expect((await fetch(`${url}api/audit?limit=-1`)).status).toBe(400);
        expect((await fetch(`${url}api/audit?limit=many`)).status).toBe(400);
      });
    } finally {
      folder.cleanup();
    }
  });

  it("reads the tail only: a torn last line (a crash mid-write) is skipped, and the entries before it are read", async () => {
    const folder = tempDir("mongoose-audit-tail-");
    try {
      await withAudited(folder, {}, async (url, file) => {
        for (let i = 0; i < 3000; i++) appendFileSync(file, `${JSON.stringify({ time: new Date(0).toISOString(), via: "http", args: [String(i)], outcome: { ok: true, durationMs: 0 } })}\n`);
        appendFileSync(file, '{"time": "torn');
        const last = await (await fetch(`${url}api/audit?limit=1000`)).json();
        expect(last.entries).toHaveLength(1000);
        expect(last.entries[0].args).toEqual(["2000"]);
        expect(last.entries.at(-1).args).toEqual(["2999"]);
      });
    } finally {
      folder.cleanup();
    }
  });

  it("a write that fails is logged and counted in /metrics; the call still answers and the admin server keeps serving", async () => {
    const folder = tempDir("mongoose-audit-fail-");
    try {
      // A folder where the file should be: no one, root included, can append to it.
      mkdirSync(folder.path("audit.jsonl"));
      await withAudited(folder, {}, async (url) => {
        expect((await fetch(`${url}metrics`)).status).toBe(200);
        expect(await (await fetch(`${url}metrics`)).text()).toContain("mongoose_audit_write_failures_total 0");
        expect((await fetch(`${url}api/commands/help`, { method: "POST" })).status).toBe(200);
        expect(await (await fetch(`${url}metrics`)).text()).toContain("mongoose_audit_write_failures_total 1");
        expect((await fetch(`${url}health/live`)).status).toBe(200);
      });
    } finally {
      folder.cleanup();
    }
  });
});
