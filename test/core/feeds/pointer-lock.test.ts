/**
 * Who may take a read pointer lock over: a restarted agent's feed takes back only the lock its own
 * server's same feed left (by the server id recorded in it), never one of another server, even in this
 * same process; a dead process's lock is taken over as before.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import process from "node:process";
import { type LockClaim, PointerLock, PointerLockedError } from "../../../src/core/feeds/pointer-lock.ts";
import { tempDir } from "../../helpers.ts";

let temp = tempDir("mongoose-pointer-lock-");
beforeEach(() => void (temp = tempDir("mongoose-pointer-lock-")));
afterEach(() => temp.cleanup());

const server = crypto.randomUUID();
const claim = (changes: Partial<LockClaim> = {}): LockClaim => ({ server, feed: "in", replacesDeadInstance: false, ...changes });
const content = (path: string) => JSON.parse(readFileSync(path, "utf8"));
const refused = (path: string, by: LockClaim) => expect(() => PointerLock.acquire(path, by)).toThrow(PointerLockedError);

describe("read pointer lock", () => {
  test("records the server and feed; only the same feed of the same server, restarted, takes it back", () => {
    const path = temp.path("in.txt.readPointer.lock");
    const predecessor = PointerLock.acquire(path, claim()); // its agent dies: never released
    expect(predecessor.tookOver).toBeUndefined();
    expect(content(path)).toEqual({ pid: process.pid, hostname: hostname(), server, feed: "in" });
    refused(path, claim()); // not a restart: a second reader in this server
    refused(path, claim({ server: crypto.randomUUID(), replacesDeadInstance: true })); // another server in this process
    refused(path, claim({ feed: "other", replacesDeadInstance: true })); // another feed of this server on the same file
    const successor = PointerLock.acquire(path, claim({ replacesDeadInstance: true }));
    expect(successor.tookOver).toEqual({ owner: { pid: process.pid, hostname: hostname(), server, feed: "in" }, reason: "restart" });
    expect(content(path)).toEqual({ pid: process.pid, hostname: hostname(), server, feed: "in" });
    successor.release();
    expect(existsSync(path)).toBe(false);
  });

  test("a lock of an earlier version (pid and hostname only) naming this process is never taken back", () => {
    const path = temp.path("in.txt.readPointer.lock");
    writeFileSync(path, JSON.stringify({ pid: process.pid, hostname: hostname() }));
    refused(path, claim({ replacesDeadInstance: true }));
    expect(content(path)).toEqual({ pid: process.pid, hostname: hostname() });
  });

  test("a lock whose process no longer runs is taken over as stale, whatever server wrote it", () => {
    const path = temp.path("in.txt.readPointer.lock");
    const gone = spawnSync(process.execPath, ["--version"]).pid!;
    writeFileSync(path, JSON.stringify({ pid: gone, hostname: hostname(), server: crypto.randomUUID(), feed: "in" }));
    const lock = PointerLock.acquire(path, claim());
    expect(lock.tookOver?.reason).toBe("stale");
    expect(lock.tookOver?.owner.pid).toBe(gone);
    expect(content(path).server).toBe(server);
    lock.release();
  });
});
