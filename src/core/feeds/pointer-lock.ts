/**
 * An exclusive claim on a read pointer, so two servers never share one COMMITTED position (each would
 * resume from where the other got, and skip lines it never saw). The claim is a lock file beside the
 * pointer holding the owner's pid and hostname. It is created complete and atomically: the content is
 * written to a private temporary file which is then hard-linked to the lock path, which fails if the
 * lock exists (works the same under Bun and Deno, and on local and NFS filesystems). A lock left by a
 * process that died (kill -9, power loss) is recognised as stale when its pid no longer runs on this
 * host, and taken over.
 *
 * @module
 */
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import process from "node:process";

/** Who holds a lock. */
export interface LockOwner {
  pid: number;
  hostname: string;
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
 * const lock = PointerLock.acquire("data-in/prices.jsonl.readPointer.lock"); // throws PointerLockedError if held
 * try { ... } finally { lock.release(); }
 * ```
 */
export class PointerLock {
  private released = false;

  private constructor(readonly path: string, readonly tookOverFrom: LockOwner | undefined) {}

  /** Takes the lock, taking over a stale one; throws {@link PointerLockedError} if a live process holds it. */
  static acquire(path: string): PointerLock {
    const me: LockOwner = { pid: process.pid, hostname: hostname() };
    let stale: LockOwner | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (createExclusively(path, me)) return new PointerLock(path, stale);
      const owner = readOwner(path);
      if (owner === undefined) continue; // released meanwhile: try again
      if (typeof owner === "string" || owner.hostname !== me.hostname || isAlive(owner.pid)) throw new PointerLockedError(path, owner);
      if (!removeIfStillHeldBy(path, owner)) continue;
      stale = owner;
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
    if (Number.isSafeInteger(owner.pid) && typeof owner.hostname === "string") return { pid: owner.pid!, hostname: owner.hostname };
  } catch {
    // Described below.
  }
  return JSON.stringify(text.trim().slice(0, 80));
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
 * Removes a stale lock, unless another process took it over since it was read: the lock is moved aside
 * first (atomic), and if what was moved is no longer the stale owner's, it is put back.
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
  if (typeof moved === "object" && moved.pid === stale.pid && moved.hostname === stale.hostname) {
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
