/**
 * An exclusive claim on a read pointer, so two servers never share one COMMITTED position (each would
 * resume from where the other got, and skip lines it never saw). The claim is a lock file beside the
 * pointer holding the owner's pid and hostname, and the server instance and feed that took it. It is
 * created complete and atomically: the content is written to a private temporary file which is then
 * hard-linked to the lock path, which fails if the lock exists (works the same under Bun and Deno, and on
 * local and NFS filesystems). A lock left by a process that died (kill -9, power loss) is recognised as
 * stale when its pid no longer runs on this host, and taken over.
 *
 * A feed on a supervised agent that died leaves its lock behind too, but its pid is this very process,
 * which is alive. The feed that replaces it (same server, same feed, on the restarted agent) takes that
 * lock back by the server instance id recorded in it, not by pid: pid and hostname only say "this
 * process", and one process may run several servers (embedded), each with its own feeds, while
 * containers sharing a volume repeat pids and may repeat hostnames. The id is random per server
 * instance, so no other server, here or elsewhere, records the same one: a restart never takes the
 * lock of a server that is alive and reading.
 *
 * @module
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import process from "node:process";

/** Who holds a lock. `server` and `feed` are absent from locks written by earlier versions. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** The id of the server instance whose feed took the lock (see {@link LockClaim.server}). */
  server?: string;
  feed?: string;
}

/**
 * Who asks for a lock: the feed, its server instance, and whether it replaces an instance of itself
 * whose agent died (a supervised restart), which may have left the lock behind.
 */
export interface LockClaim {
  /** A random id of the server instance, unique to one boot of one server. */
  server: string;
  feed: string;
  /** True only in a restarted agent, for a feed it was booted with. */
  replacesDeadInstance: boolean;
}

/** A lock taken over: from a process that no longer runs, or from this feed's instance on an agent that died. */
export interface LockTakeover {
  owner: LockOwner;
  reason: "stale" | "restart";
}

/** The lock is held by a live process (or one on another host, which cannot be checked). */
export class PointerLockedError extends Error {
  constructor(readonly lockPath: string, readonly owner: LockOwner | string) {
    super(
      typeof owner === "string"
        ? `the lock file ${lockPath} exists but holds ${owner}; delete it if no server reads this file`
        : `another server reads this file: pid ${owner.pid} on host ${owner.hostname} holds the lock ${lockPath}; stop it, or delete the lock if that process is gone`,
    );
    this.name = "PointerLockedError";
  }
}

/**
 * @example
 * ```ts
 * const claim = { server: crypto.randomUUID(), feed: "prices", replacesDeadInstance: false };
 * const lock = PointerLock.acquire("data-in/prices.jsonl.readPointer.lock", claim); // throws PointerLockedError if held
 * try { ... } finally { lock.release(); }
 * ```
 */
export class PointerLock {
  private released = false;

  private constructor(readonly path: string, readonly tookOver: LockTakeover | undefined) {}

  /**
   * Takes the lock, taking over a stale one, or the one this feed's dead predecessor held (only when
   * `claim.replacesDeadInstance`); throws {@link PointerLockedError} if a live process holds it.
   */
  static acquire(path: string, claim: LockClaim): PointerLock {
    const me: LockOwner = { pid: process.pid, hostname: hostname(), server: claim.server, feed: claim.feed };
    let tookOver: LockTakeover | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (createExclusively(path, me)) return new PointerLock(path, tookOver);
      const owner = readOwner(path);
      if (owner === undefined) continue; // released meanwhile: try again
      if (typeof owner === "string") throw new PointerLockedError(path, owner);
      const reason = claim.replacesDeadInstance && sameOwner(owner, me) ? "restart" : owner.hostname === me.hostname && !isAlive(owner.pid) ? "stale" : undefined;
      if (reason === undefined) throw new PointerLockedError(path, owner);
      if (!removeIfStillHeldBy(path, owner)) continue;
      tookOver = { owner, reason };
    }
    throw new PointerLockedError(path, readOwner(path) ?? "a lock that keeps changing");
  }

  /** Gives the lock up (once). */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone (removed by hand): nothing to give up.
    }
  }
}

function createExclusively(path: string, owner: LockOwner): boolean {
  const temporary = `${path}.${owner.pid}.${crypto.randomUUID()}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner) + "\n");
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

/** The owner recorded in the lock; a string describing the content if it is not one; undefined if there is no lock. */
function readOwner(path: string): LockOwner | string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isSafeInteger(owner.pid) && typeof owner.hostname === "string") {
      return { pid: owner.pid!, hostname: owner.hostname, server: stringOrAbsent(owner.server), feed: stringOrAbsent(owner.feed) };
    }
  } catch {
    // Described below.
  }
  return JSON.stringify(text.trim().slice(0, 80));
}

function stringOrAbsent(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The same feed of the same server instance in the same process (locks of earlier versions, without a server id, never are). */
function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return a.server !== undefined && a.server === b.server && a.feed === b.feed && a.pid === b.pid && a.hostname === b.hostname;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code !== "ESRCH"; // EPERM: alive, owned by someone else
  }
}

/**
 * Removes a lock being taken over, unless another owner took it since it was read: the lock is moved
 * aside first (atomic), and if what was moved is no longer the old owner's, it is put back.
 */
function removeIfStillHeldBy(path: string, stale: LockOwner): boolean {
  const aside = `${path}.${process.pid}.${crypto.randomUUID()}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
    throw error;
  }
  const moved = readOwner(aside);
  if (typeof moved === "object" && moved.pid === stale.pid && moved.hostname === stale.hostname && moved.server === stale.server && moved.feed === stale.feed) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, path); // a live owner's lock: put it back (a third process may hold the path by now)
  } catch {
    // The path was taken again meanwhile; that lock stands.
  }
  unlinkSync(aside);
  return false;
}
